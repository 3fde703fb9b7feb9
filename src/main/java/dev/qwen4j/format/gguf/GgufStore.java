package dev.qwen4j.format.gguf;

import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.format.TensorInfo;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.tensor.DType;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The tensors of a GGUF file under their Hugging Face names and shapes, so model code loads from GGUF
 * exactly as from safetensors. Stacked expert tensors appear as one [rows, cols] slice per expert, used
 * in place; tensors outside the name map keep their GGUF names.
 */
public final class GgufStore implements TensorStore {
    private final GgufFile file;
    private final Arena arena;
    private final Map<String, TensorInfo> tensors;

    private GgufStore(GgufFile file, Arena arena, Map<String, TensorInfo> tensors) {
        this.file = file;
        this.arena = arena;
        this.tensors = tensors;
    }

    public static GgufStore open(Path path) {
        Arena arena = Arena.ofShared();
        try {
            GgufFile f = GgufFile.open(path, arena);
            return new GgufStore(f, arena, Collections.unmodifiableMap(map(f)));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, TensorInfo> map(GgufFile f) {
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (GgufTensor t : f.tensors()) {
            DType dt = t.dtype();
            if (GgufNames.isStackedExperts(t.name())) {
                if (t.ne().length != 3) {
                    throw new ModelFormatException(f.path() + ": expert tensor '" + t.name() + "' must have 3 dimensions, has " + t.ne().length);
                }
                long cols = t.ne()[0], rows = t.ne()[1];
                int experts = Math.toIntExact(t.ne()[2]);
                long bytes = dt == null ? 0 : dt.byteSize(rows * cols);
                for (int e = 0; e < experts; e++) {
                    String hf = GgufNames.toHf(t.name(), e);
                    var data = dt == null ? t.data() : t.data().asSlice(e * bytes, bytes);
                    put(f, out, new TensorInfo(hf, t.typeName(), dt, new long[] {rows, cols}, data, f.path()));
                }
            } else {
                String hf = GgufNames.toHf(t.name(), -1);
                put(f, out, new TensorInfo(hf != null ? hf : t.name(), t.typeName(), dt, t.shape(), t.data(), f.path()));
            }
        }
        return out;
    }

    private static void put(GgufFile f, Map<String, TensorInfo> out, TensorInfo t) {
        if (out.put(t.name(), t) != null) throw new ModelFormatException(f.path() + ": two tensors map to '" + t.name() + "'");
    }

    public GgufFile file() {
        return file;
    }

    @Override
    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public Collection<TensorInfo> all() {
        return tensors.values();
    }

    @Override
    public String source() {
        return file.path().toString();
    }

    @Override
    public void close() {
        arena.close();
    }
}
