package dev.qwen4j.model.qwen3;

import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.model.layers.RopeConfig;

/**
 * The text decoder hyper-parameters of Qwen3 (dense) and Qwen3-MoE, read from config.json (or from a
 * VL model's `text_config`). Both config spellings are accepted: `rope_theta`/`rope_scaling` (v4) and
 * `rope_parameters` (v5).
 */
public record Qwen3Config(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        float rmsNormEps,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        RopeConfig rope,
        // MoE (numExperts == 0 for dense models)
        int numExperts,
        int numExpertsPerToken,
        int moeIntermediateSize,
        boolean normTopkProb,
        int decoderSparseStep,
        int[] mlpOnlyLayers) {

    public static Qwen3Config read(ConfigReader c) {
        String type = c.optString("model_type", "qwen3");
        int hidden = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        int kvHeads = c.optInt("num_key_value_heads", heads);
        int headDim = c.has("head_dim") ? c.requireInt("head_dim") : hidden / heads;
        boolean moe = type.contains("moe");
        int experts = moe ? c.optInt("num_experts", 128) : 0;
        Qwen3Config cfg = new Qwen3Config(
                type,
                c.requireInt("vocab_size"),
                hidden,
                moe ? c.optInt("intermediate_size", 0) : c.requireInt("intermediate_size"),
                c.requireInt("num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                (float) c.optDouble("rms_norm_eps", 1e-6),
                c.optInt("max_position_embeddings", 40960),
                c.optBool("tie_word_embeddings", false),
                RopeConfig.read(c, headDim),
                experts,
                moe ? c.optInt("num_experts_per_tok", 8) : 0,
                moe ? c.requireInt("moe_intermediate_size") : 0,
                moe && c.optBool("norm_topk_prob", false),
                c.optInt("decoder_sparse_step", 1),
                c.optIntArray("mlp_only_layers", new int[0]));
        cfg.validate(c);
        return cfg;
    }

    private void validate(ConfigReader c) {
        positive(c, "vocab_size", vocabSize);
        positive(c, "hidden_size", hiddenSize);
        positive(c, "num_hidden_layers", numLayers);
        positive(c, "num_attention_heads", numHeads);
        positive(c, "num_key_value_heads", numKvHeads);
        positive(c, "head_dim", headDim);
        if (numHeads % numKvHeads != 0) {
            throw c.error("num_attention_heads", "(" + numHeads + ") must be a multiple of num_key_value_heads (" + numKvHeads + ")");
        }
        if (headDim % 2 != 0) throw c.error("head_dim", "must be even for rotary embeddings, got " + headDim);
        if (numExperts > 0) {
            if (numExpertsPerToken < 1 || numExpertsPerToken > numExperts) {
                throw c.error("num_experts_per_tok", "must be in [1, num_experts=" + numExperts + "], got " + numExpertsPerToken);
            }
            positive(c, "moe_intermediate_size", moeIntermediateSize);
            positive(c, "decoder_sparse_step", decoderSparseStep);
        }
        if (hasDenseLayer()) positive(c, "intermediate_size", intermediateSize);
    }

    private static void positive(ConfigReader c, String key, int v) {
        if (v <= 0) throw c.error(key, "must be positive, got " + v);
    }

    /** HF rule: a layer is sparse iff it is not in mlp_only_layers and (i+1) % decoder_sparse_step == 0. */
    public boolean isSparseLayer(int layer) {
        if (numExperts <= 0) return false;
        for (int l : mlpOnlyLayers) if (l == layer) return false;
        return (layer + 1) % decoderSparseStep == 0;
    }

    private boolean hasDenseLayer() {
        for (int i = 0; i < numLayers; i++) if (!isSparseLayer(i)) return true;
        return false;
    }

    public int queryDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    public static ModelFormatException unsupported(ConfigReader c, String what) {
        return new ModelFormatException(c.file() + ": " + what);
    }
}
