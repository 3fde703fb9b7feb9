package dev.qwen4j.model;

import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.format.SafetensorsStore;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.model.qwen3.Qwen3Family;
import dev.qwen4j.model.qwen3vl.Qwen3VLFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Opens a model folder: reads config.json, maps the weights and builds the family its model_type names. */
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

    public static LanguageModel load(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelFormatException(dir + ": not a model folder");
        ConfigReader config = ConfigReader.of(dir.resolve("config.json"));
        ModelFamily family = familyFor(config);
        TensorStore store = SafetensorsStore.open(dir);
        try {
            return family.load(config, store);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }
}
