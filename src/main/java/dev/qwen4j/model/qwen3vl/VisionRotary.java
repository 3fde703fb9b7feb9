package dev.qwen4j.model.qwen3vl;

/**
 * The vision tower's 2-D rotary embedding (spec §3.4 c–d). A patch at full-resolution (row, col) rotates
 * the pair (j, j + D/2) of each head by angle row·ivf[j] for j < D/4 and col·ivf[j − D/4] for
 * D/4 ≤ j < D/2, where ivf[k] = 10000^(−2k/(D/2)). Angles are in f32 as in transformers (vision RoPE is
 * not rounded to bf16). Patches are enumerated in merge-window order, temporal groups repeating the grid.
 */
final class VisionRotary {
    private final int headDim;
    private final int merge;
    private final float[] invFreq;

    VisionRotary(int headDim, int merge) {
        this.headDim = headDim;
        this.merge = merge;
        int half = headDim / 2, quarter = headDim / 4;
        invFreq = new float[quarter];
        for (int k = 0; k < quarter; k++) invFreq[k] = (float) (1.0 / Math.pow(VisionConfig.ROPE_THETA, (2.0 * k) / half));
    }

    /** cos and sin tables [tokens × D/2] for the items' grids (t, h, w triples). */
    float[][] tables(int[] gridThw) {
        int half = headDim / 2, quarter = headDim / 4;
        int n = 0;
        for (int i = 0; i < gridThw.length; i += 3) n += gridThw[i] * gridThw[i + 1] * gridThw[i + 2];
        float[] cos = new float[n * half], sin = new float[n * half];
        int tok = 0;
        for (int i = 0; i < gridThw.length; i += 3) {
            int t = gridThw[i], h = gridThw[i + 1], w = gridThw[i + 2];
            for (int g = 0; g < t; g++) {
                for (int bi = 0; bi < h / merge; bi++) {
                    for (int bj = 0; bj < w / merge; bj++) {
                        for (int ii = 0; ii < merge; ii++) {
                            for (int jj = 0; jj < merge; jj++) {
                                int row = bi * merge + ii, col = bj * merge + jj;
                                for (int j = 0; j < half; j++) {
                                    float angle = j < quarter ? row * invFreq[j] : col * invFreq[j - quarter];
                                    cos[tok * half + j] = (float) Math.cos(angle);
                                    sin[tok * half + j] = (float) Math.sin(angle);
                                }
                                tok++;
                            }
                        }
                    }
                }
            }
        }
        return new float[][] {cos, sin};
    }

    /** Rotates `heads` head vectors at x[off..] (NEOX pairing j ↔ j + D/2) with token row tok of the tables. */
    void rotate(float[] x, int off, int heads, float[] cos, float[] sin, int tok) {
        int half = headDim / 2;
        int c0 = tok * half;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int j = 0; j < half; j++) {
                float a = x[base + j], b = x[base + j + half];
                x[base + j] = a * cos[c0 + j] - b * sin[c0 + j];
                x[base + j + half] = b * cos[c0 + j] + a * sin[c0 + j];
            }
        }
    }
}
