package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.format.TensorStore;
import dev.qwen4j.tensor.Gelu;
import dev.qwen4j.tensor.LayerNorm;

/**
 * Maps each 2×2 merge window (4 consecutive patch rows, Hv each) to one LLM-width token:
 * fc2(GELU_erf(fc1(concat))) (spec §3.4 g–h). The final merger normalises every Hv-wide patch before
 * the concatenation; the DeepStack mergers normalise the 4·Hv-wide concatenation instead.
 */
final class PatchMerger {
    private final float[] normWeight, normBias;
    private final Linear fc1, fc2;
    private final boolean normAfterConcat;
    private final int hidden, mergedDim;

    private PatchMerger(float[] normWeight, float[] normBias, Linear fc1, Linear fc2, boolean normAfterConcat, int hidden) {
        this.normWeight = normWeight;
        this.normBias = normBias;
        this.fc1 = fc1;
        this.fc2 = fc2;
        this.normAfterConcat = normAfterConcat;
        this.hidden = hidden;
        this.mergedDim = fc1.in();
    }

    /** `merger.*`: LayerNorm over Hv per patch, then concat. */
    static PatchMerger finalMerger(TensorStore s, String prefix, VisionConfig c) {
        return load(s, prefix, c, false);
    }

    /** `deepstack_merger_list.k.*`: concat, then LayerNorm over 4·Hv. */
    static PatchMerger deepstackMerger(TensorStore s, String prefix, VisionConfig c) {
        return load(s, prefix, c, true);
    }

    private static PatchMerger load(TensorStore s, String prefix, VisionConfig c, boolean after) {
        int normDim = after ? c.mergedDim() : c.hiddenSize();
        return new PatchMerger(s.vector(prefix + "norm.weight", normDim), s.vector(prefix + "norm.bias", normDim),
                Linear.load(s, prefix + "linear_fc1", c.mergedDim(), c.mergedDim()),
                Linear.load(s, prefix + "linear_fc2", c.outHiddenSize(), c.mergedDim()), after, c.hiddenSize());
    }

    /** x: [n × Hv] patches in merge-window order → [n/4 × out_hidden]. */
    float[] forward(float[] x, int n) {
        int windows = n * hidden / mergedDim;
        // rows of 4·Hv are just 4 consecutive patch rows: the concat is free in row-major memory
        float[] normed = new float[n * hidden];
        if (normAfterConcat) LayerNorm.normalizeRows(normed, 0, x, 0, normWeight, normBias, mergedDim, windows, VisionConfig.LAYER_NORM_EPS);
        else LayerNorm.normalizeRows(normed, 0, x, 0, normWeight, normBias, hidden, n, VisionConfig.LAYER_NORM_EPS);
        float[] mid = new float[windows * mergedDim];
        fc1.apply(normed, mid, windows);
        Gelu.exact(mid, 0, mid.length);
        float[] out = new float[windows * fc2.out()];
        fc2.apply(mid, out, windows);
        return out;
    }
}
