package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.format.ConfigReader;

/**
 * Qwen3-VL vision tower hyper-parameters (`vision_config`, spec §3.1). RoPE theta (10000) and the
 * LayerNorm eps (1e-6) are hard-wired in transformers, not configurable.
 */
public record VisionConfig(
        int depth,
        int hiddenSize,
        int intermediateSize,
        int numHeads,
        String hiddenAct,
        int inChannels,
        int patchSize,
        int temporalPatchSize,
        int spatialMergeSize,
        int outHiddenSize,
        int numPositionEmbeddings,
        int[] deepstackVisualIndexes) {

    public static final float LAYER_NORM_EPS = 1e-6f;
    public static final double ROPE_THETA = 10000.0;

    public static VisionConfig read(ConfigReader c) {
        VisionConfig v = new VisionConfig(
                c.optInt("depth", 27),
                c.optInt("hidden_size", 1152),
                c.optInt("intermediate_size", 4304),
                c.optInt("num_heads", 16),
                c.optString("hidden_act", "gelu_pytorch_tanh"),
                c.optInt("in_channels", 3),
                c.optInt("patch_size", 16),
                c.optInt("temporal_patch_size", 2),
                c.optInt("spatial_merge_size", 2),
                c.optInt("out_hidden_size", 3584),
                c.optInt("num_position_embeddings", 2304),
                c.optIntArray("deepstack_visual_indexes", new int[] {8, 16, 24}));
        v.validate(c);
        return v;
    }

    private void validate(ConfigReader c) {
        if (hiddenSize % numHeads != 0) throw c.error("hidden_size", "(" + hiddenSize + ") must be a multiple of num_heads (" + numHeads + ")");
        if (headDim() % 4 != 0) throw c.error("num_heads", "gives head dim " + headDim() + ", but the 2-D rotary needs a multiple of 4");
        int side = positionGridSide();
        if (side * side != numPositionEmbeddings) throw c.error("num_position_embeddings", "must be a perfect square, got " + numPositionEmbeddings);
        if (!hiddenAct.equals("gelu_pytorch_tanh") && !hiddenAct.equals("gelu")) {
            throw c.error("hidden_act", "'" + hiddenAct + "' is not supported (supported: gelu_pytorch_tanh, gelu)");
        }
        for (int b : deepstackVisualIndexes) {
            if (b < 0 || b >= depth) throw c.error("deepstack_visual_indexes", "entry " + b + " is not a block index in [0, " + depth + ")");
        }
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Values per patch row of pixel_values: C · Tp · P · P (1536). */
    public int patchDim() {
        return inChannels * temporalPatchSize * patchSize * patchSize;
    }

    /** Width of a 2×2 merge window: Hv · M². */
    public int mergedDim() {
        return hiddenSize * spatialMergeSize * spatialMergeSize;
    }

    /** Side of the learned position table (48 for 2304 entries). */
    public int positionGridSide() {
        return (int) Math.round(Math.sqrt(numPositionEmbeddings));
    }
}
