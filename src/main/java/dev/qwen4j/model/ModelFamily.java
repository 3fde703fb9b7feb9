package dev.qwen4j.model;

import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.TensorStore;
import java.util.Set;

/** A family of architectures, registered by the `model_type` values of config.json it accepts. */
public interface ModelFamily {
    Set<String> modelTypes();

    /** Builds the model; the returned model owns the store and closes it. */
    LanguageModel load(ConfigReader config, TensorStore store);
}
