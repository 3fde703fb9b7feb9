package dev.qwen4j.format.gguf;

import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.format.SafetensorsStore;
import dev.qwen4j.format.TensorInfo;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.format.quant.QuantMix;
import dev.qwen4j.format.quant.QuantType;
import dev.qwen4j.format.quant.TensorEncoder;
import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.WeightMatrix;
import dev.qwen4j.template.ChatTemplate;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Writes a Hugging Face Qwen3 / Qwen3-MoE folder as one GGUF file in a {@link QuantType}: llama.cpp's
 * tensor names and metadata (general.*, the architecture's hyper-parameters, tokenizer.ggml.*,
 * tokenizer.chat_template), MoE experts stacked per projection, each tensor in the dtype
 * {@link QuantMix} picks.
 */
public final class GgufConverter {
    private GgufConverter() {}

    /** Converts modelDir into out; progress gets one line per tensor written (may be null). */
    public static void convert(Path modelDir, QuantType type, Path out, Consumer<String> progress) {
        ConfigReader config = ConfigReader.of(modelDir.resolve("config.json"));
        ChatTemplate template = hasTemplate(modelDir) ? ChatTemplate.fromModelDir(modelDir) : null;
        try (TensorStore store = SafetensorsStore.open(modelDir)) {
            GgufWriter w = new GgufWriter();
            w.put("general.architecture", GgufModelConfig.fromConfig(config).get("general.architecture"));
            w.put("general.type", GgufValue.string("model"));
            w.put("general.name", GgufValue.string(modelDir.toAbsolutePath().normalize().getFileName().toString()));
            w.put("general.file_type", GgufValue.uint32(type.llamaFtype()));
            if (type.isQuantized()) w.put("general.quantization_version", GgufValue.uint32(2));
            w.putAll(GgufModelConfig.fromConfig(config));
            w.putAll(GgufSampling.fromGenerationConfig(modelDir.resolve("generation_config.json")));
            if (Files.isRegularFile(modelDir.resolve("tokenizer.json"))) {
                w.putAll(GgufTokenizer.fromModelDir(modelDir, config, template));
            } else {
                // a folder without tokenizer.json (e.g. a synthetic benchmark model) gives a weights-only file;
                // llama.cpp requires tokenizer.ggml.model ("key not found in model: tokenizer.ggml.model"
                // otherwise) and reads "none" as no vocabulary, taking the vocabulary size from the key below
                w.putAll(GgufTokenizer.weightsOnly(config));
            }
            addTensors(w, store, config, type, progress);
            w.write(out);
        }
    }

    private static boolean hasTemplate(Path dir) {
        if (Files.isRegularFile(dir.resolve("chat_template.json")) || Files.isRegularFile(dir.resolve("chat_template.jinja"))) return true;
        Path tc = dir.resolve("tokenizer_config.json");
        return Files.isRegularFile(tc) && ConfigReader.of(tc).has("chat_template");
    }

    /** GGUF tensors in file order; a stacked expert tensor gathers its experts' HF tensors by index. */
    private static void addTensors(GgufWriter w, TensorStore store, ConfigReader config, QuantType type, Consumer<String> progress) {
        boolean tied = config.optBool("tie_word_embeddings", false) || !store.has("lm_head.weight");
        int nLayers = config.requireInt("num_hidden_layers");
        int heads = config.requireInt("num_attention_heads");
        int gqa = heads / config.optInt("num_key_value_heads", heads);
        Map<String, List<TensorInfo>> groups = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, TensorInfo>> experts = new LinkedHashMap<>();
        for (TensorInfo t : store.all()) {
            if (tied && t.name().equals("lm_head.weight")) continue;
            GgufNames.Target g = GgufNames.toGguf(t.name());
            if (g == null) throw new ModelFormatException(t.file() + ": tensor '" + t.name() + "' has no GGUF name for qwen3/qwen3moe");
            if (t.dtype() == null) throw new ModelFormatException(t.file() + ": tensor '" + t.name() + "' has unsupported dtype " + t.dtypeName());
            if (g.expert() >= 0) {
                experts.computeIfAbsent(g.name(), k -> new TreeMap<>()).put(g.expert(), t);
                groups.putIfAbsent(g.name(), null);
            } else {
                groups.put(g.name(), List.of(t));
            }
        }
        for (String name : sorted(groups.keySet())) {
            List<TensorInfo> parts = groups.get(name) != null ? groups.get(name) : stacked(name, experts.get(name));
            TensorInfo first = parts.get(0);
            long[] hfShape = first.shape();
            long[] ne = new long[hfShape.length + (parts.size() > 1 || GgufNames.isStackedExperts(name) ? 1 : 0)];
            for (int i = 0; i < hfShape.length; i++) ne[i] = hfShape[hfShape.length - 1 - i];
            if (ne.length > hfShape.length) ne[ne.length - 1] = parts.size();
            DType target = QuantMix.typeFor(type, name, ne, nLayers, tied, gqa);
            w.addTensor(name, ne, target, () -> {
                if (progress != null) progress.accept(name + " " + target + " " + java.util.Arrays.toString(ne));
                return encode(parts, target);
            });
        }
    }

    private static List<TensorInfo> stacked(String name, TreeMap<Integer, TensorInfo> byExpert) {
        List<TensorInfo> out = new ArrayList<>();
        int want = 0;
        for (Map.Entry<Integer, TensorInfo> e : byExpert.entrySet()) {
            if (e.getKey() != want++) throw new ModelFormatException(name + ": expert " + (want - 1) + " is missing");
            if (!java.util.Arrays.equals(e.getValue().shape(), byExpert.firstEntry().getValue().shape())) {
                throw new ModelFormatException(e.getValue().file() + ": expert tensors of " + name + " differ in shape");
            }
            out.add(e.getValue());
        }
        return out;
    }

    /** token_embd, then the layers in numeric order, then output_norm / output, as llama.cpp's converter orders them. */
    private static List<String> sorted(java.util.Set<String> names) {
        List<String> out = new ArrayList<>(names);
        out.sort(java.util.Comparator.comparingLong(GgufConverter::rank).thenComparing(n -> n));
        return out;
    }

    private static long rank(String n) {
        if (n.startsWith("token_embd")) return -1;
        if (n.startsWith("blk.")) return Long.parseLong(n.substring(4, n.indexOf('.', 4)));
        return Long.MAX_VALUE;
    }

    private static MemorySegment encode(List<TensorInfo> parts, DType target) {
        Arena arena = Arena.ofAuto();
        long total = 0;
        List<MemorySegment> encoded = new ArrayList<>();
        for (TensorInfo t : parts) {
            long[] s = t.shape();
            int rows = s.length == 1 ? 1 : Math.toIntExact(s[0]);
            int cols = Math.toIntExact(s[s.length - 1]);
            if (t.dtype() == target) {
                encoded.add(t.data());
            } else {
                encoded.add(TensorEncoder.encode(new WeightMatrix(t.name(), t.data(), t.dtype(), rows, cols), target, arena));
            }
            total += encoded.get(encoded.size() - 1).byteSize();
        }
        if (encoded.size() == 1) return encoded.get(0);
        MemorySegment out = arena.allocate(total, 64);
        long off = 0;
        for (MemorySegment e : encoded) {
            MemorySegment.copy(e, 0, out, off, e.byteSize());
            off += e.byteSize();
        }
        return out;
    }
}
