package dev.qwen4j.model;

import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.format.SafetensorsStore;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.format.gguf.GgufFile;
import dev.qwen4j.format.gguf.GgufModelConfig;
import dev.qwen4j.format.gguf.GgufStore;
import dev.qwen4j.format.quant.QuantType;
import dev.qwen4j.format.quant.QuantizingStore;
import dev.qwen4j.model.qwen3.Qwen3Family;
import dev.qwen4j.model.qwen3vl.Qwen3VLFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Opens a model — a Hugging Face folder (config.json + safetensors) or a GGUF file — and builds the family
 * its model_type names, optionally re-encoding the weights in memory ({@link QuantizingStore}).
 */
public final class ModelRegistry {
    private static final List<ModelFamily> FAMILIES = List.of(new Qwen3Family(), new Qwen3VLFamily());

    private ModelRegistry() {}

    public static Map<String, ModelFamily> byModelType() {
        Map<String, ModelFamily> m = new TreeMap<>();
        for (ModelFamily f : FAMILIES) for (String t : f.modelTypes()) m.put(t, f);
        return m;
    }

    public static ModelFamily familyFor(ConfigReader config) {
        String type = config.requireString("model_type");
        ModelFamily f = byModelType().get(type);
        if (f == null) {
            throw config.error("model_type", "'" + type + "' is not supported (supported: " + byModelType().keySet() + ")");
        }
        return f;
    }

    public static LanguageModel load(Path path) {
        return load(path, null);
    }

    /**
     * @param path     a model folder or a .gguf file
     * @param quantize re-encode the weight matrices in memory with this type's rules, or null to use them as stored
     */
    public static LanguageModel load(Path path, QuantType quantize) {
        ConfigReader config;
        TensorStore store;
        if (GgufFile.looksLikeGguf(path)) {
            GgufStore g = GgufStore.open(path);
            store = g;
            try {
                config = GgufModelConfig.toConfig(g.file(), g.ggufTensors());
            } catch (RuntimeException e) {
                g.close();
                throw e;
            }
        } else {
            if (!Files.isDirectory(path)) throw new ModelFormatException(path + ": not a model folder or GGUF file");
            config = ConfigReader.of(path.resolve("config.json"));
            familyFor(config);
            store = SafetensorsStore.open(path);
        }
        try {
            ModelFamily family = familyFor(config);
            if (quantize != null) {
                ConfigReader text = config.has("text_config") ? config.child("text_config") : config;
                boolean tied = text.optBool("tie_word_embeddings", config.optBool("tie_word_embeddings", false))
                        || !store.has("lm_head.weight");
                int heads = text.requireInt("num_attention_heads");
                store = new QuantizingStore(store, quantize, text.requireInt("num_hidden_layers"), tied,
                        heads / text.optInt("num_key_value_heads", heads));
            }
            return family.load(config, store);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }
}
