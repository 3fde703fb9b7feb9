package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.model.LanguageModel;
import dev.qwen4j.model.ModelFamily;
import java.util.Set;

/** Qwen3-VL (`qwen3_vl`) and Qwen3-VL-MoE (`qwen3_vl_moe`): the same model with a different FFN. */
public final class Qwen3VLFamily implements ModelFamily {
    @Override
    public Set<String> modelTypes() {
        return Set.of("qwen3_vl", "qwen3_vl_moe");
    }

    @Override
    public LanguageModel load(ConfigReader config, TensorStore store) {
        return new Qwen3VLModel(Qwen3VLConfig.read(config), store);
    }
}
