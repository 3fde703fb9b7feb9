package dev.qwen4j.format.quant;

import dev.qwen4j.format.TensorInfo;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.format.gguf.GgufNames;
import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A view of another store whose weight matrices are re-encoded in memory on first use, with the dtype
 * {@link QuantMix} picks for the tensor's GGUF name: `--quantize q4_k_m` at load time gives the same
 * weights as loading a file written by `qwen4j quantize --type q4_k_m`. Tensors that keep their dtype are
 * passed through untouched.
 */
public final class QuantizingStore implements TensorStore {
    private final TensorStore base;
    private final QuantType type;
    private final int nLayers;
    private final boolean tied;
    private final int gqa;
    private final Arena arena = Arena.ofShared();
    private final Map<String, TensorInfo> converted = new ConcurrentHashMap<>();

    /** @param gqa query heads per KV head (llama.cpp's IQ4 rules give attn_v more bits from 4 on) */
    public QuantizingStore(TensorStore base, QuantType type, int nLayers, boolean tied, int gqa) {
        this.base = base;
        this.type = type;
        this.nLayers = nLayers;
        this.tied = tied;
        this.gqa = gqa;
    }

    @Override
    public Optional<TensorInfo> find(String name) {
        TensorInfo c = converted.get(name);
        if (c != null) return Optional.of(c);
        return base.find(name).map(this::convert);
    }

    private TensorInfo convert(TensorInfo t) {
        if (t.dtype() == null || t.shape().length != 2) return t;
        GgufNames.Target g = GgufNames.toGguf(t.name());
        if (g == null) return t;
        long rows = t.shape()[0], cols = t.shape()[1];
        DType target = QuantMix.typeFor(type, g.name(), new long[] {cols, rows}, nLayers, tied, gqa);
        if (target == t.dtype()) return t;
        if (target == DType.F32 && type.isQuantized()) return t; // llama.cpp leaves unquantizable tensors as they are
        return converted.computeIfAbsent(t.name(), n -> {
            WeightMatrix src = new WeightMatrix(n, t.data(), t.dtype(), (int) rows, (int) cols);
            MemorySegment data = TensorEncoder.encode(src, target, arena);
            return new TensorInfo(n, target.name(), target, t.shape(), data, t.file());
        });
    }

    @Override
    public Collection<TensorInfo> all() {
        List<TensorInfo> out = new java.util.ArrayList<>();
        for (TensorInfo t : base.all()) out.add(find(t.name()).orElse(t));
        return out;
    }

    @Override
    public String source() {
        return base.source() + " (quantized in memory to " + type.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }

    @Override
    public void close() {
        try {
            base.close();
        } finally {
            arena.close();
        }
    }
}
