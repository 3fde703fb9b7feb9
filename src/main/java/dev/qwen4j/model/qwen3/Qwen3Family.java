package dev.qwen4j.model.qwen3;

import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.model.LanguageModel;
import dev.qwen4j.model.ModelFamily;
import java.util.Set;

/** Qwen3 dense (`qwen3`) and Qwen3-MoE (`qwen3_moe`): the same decoder with a different FFN. */
public final class Qwen3Family implements ModelFamily {
    @Override
    public Set<String> modelTypes() {
        return Set.of("qwen3", "qwen3_moe");
    }

    @Override
    public LanguageModel load(ConfigReader config, TensorStore store) {
        return new Qwen3Model(Qwen3Config.read(config), store, "model.");
    }
}
