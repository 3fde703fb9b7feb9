package dev.qwen4j.model.layers;

import dev.qwen4j.tensor.WeightMatrix;
import java.util.Arrays;

/**
 * Qwen3-MoE block: router softmax over all experts (f32), top-k, optional renormalisation, then the
 * weighted sum of the chosen experts' SwiGLU outputs. Tokens routed to the same expert are gathered so
 * each expert runs one matrix-matrix product per step.
 */
public final class SparseMoe implements FeedForward {
    private final WeightMatrix router;
    private final DenseMlp[] experts;
    private final int topK;
    private final boolean normTopkProb;
    private final int hidden;
    private final long expertBytes;
    private final long expertFlops;

    public SparseMoe(WeightMatrix router, DenseMlp[] experts, int topK, boolean normTopkProb) {
        this.router = router;
        this.experts = experts;
        this.topK = topK;
        this.normTopkProb = normTopkProb;
        this.hidden = router.cols();
        this.expertBytes = experts[0].bytesPerToken();
        this.expertFlops = experts[0].flopsPerToken();
    }

    /** Routing and gather buffers, one set per calling thread, grown to the largest step and reused by every layer. */
    private static final class Buffers {
        float[] probs = new float[0], weight = new float[0], rowWeight = new float[0], gathered = new float[0], result = new float[0];
        int[] chosen = new int[0], rows = new int[0];

        Buffers fit(int n, int experts, int topK, int hidden) {
            if (probs.length < n * experts) probs = new float[n * experts];
            if (chosen.length < n * topK) {
                chosen = new int[n * topK];
                weight = new float[n * topK];
            }
            if (rows.length < n) {
                rows = new int[n];
                rowWeight = new float[n];
            }
            if (gathered.length < n * hidden) {
                gathered = new float[n * hidden];
                result = new float[n * hidden];
            }
            return this;
        }
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    @Override
    public void forward(float[] x, float[] out, int n) {
        int e = experts.length;
        Buffers b = BUFFERS.get().fit(n, e, topK, hidden);
        float[] probs = b.probs;
        router.matmul(x, 0, probs, 0, n);
        int[] chosen = b.chosen;
        float[] weight = b.weight;
        for (int t = 0; t < n; t++) route(probs, t * e, e, chosen, weight, t * topK);

        Arrays.fill(out, 0, n * hidden, 0f);
        int[] rows = b.rows;
        float[] rowWeight = b.rowWeight;
        float[] gathered = b.gathered;
        float[] result = b.result;
        // ascending expert id, as HF accumulates
        for (int ex = 0; ex < e; ex++) {
            int m = 0;
            for (int t = 0; t < n; t++) {
                for (int k = 0; k < topK; k++) {
                    if (chosen[t * topK + k] == ex) {
                        rows[m] = t;
                        rowWeight[m] = weight[t * topK + k];
                        System.arraycopy(x, t * hidden, gathered, m * hidden, hidden);
                        m++;
                    }
                }
            }
            if (m == 0) continue;
            experts[ex].forward(gathered, result, m);
            for (int j = 0; j < m; j++) {
                int o = rows[j] * hidden, r = j * hidden;
                float w = rowWeight[j];
                for (int i = 0; i < hidden; i++) out[o + i] += w * result[r + i];
            }
        }
    }

    /** Softmax of router logits row, top-k by probability (ties → lower id), renormalised if configured. */
    private void route(float[] logits, int off, int e, int[] chosen, float[] weight, int outOff) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < e; i++) max = Math.max(max, logits[off + i]);
        float sum = 0f;
        for (int i = 0; i < e; i++) {
            float v = (float) Math.exp(logits[off + i] - max);
            logits[off + i] = v;
            sum += v;
        }
        for (int i = 0; i < e; i++) logits[off + i] /= sum;
        float picked = 0f;
        for (int k = 0; k < topK; k++) {
            int best = -1;
            for (int i = 0; i < e; i++) {
                if (isChosen(chosen, outOff, k, i)) continue;
                if (best < 0 || logits[off + i] > logits[off + best]) best = i;
            }
            chosen[outOff + k] = best;
            weight[outOff + k] = logits[off + best];
            picked += logits[off + best];
        }
        if (normTopkProb) for (int k = 0; k < topK; k++) weight[outOff + k] /= picked;
    }

    private static boolean isChosen(int[] chosen, int off, int count, int id) {
        for (int k = 0; k < count; k++) if (chosen[off + k] == id) return true;
        return false;
    }

    @Override
    public long bytesPerToken() {
        return router.data().byteSize() + topK * expertBytes;
    }

    @Override
    public long flopsPerToken() {
        return 2L * router.rows() * hidden + topK * expertFlops;
    }
}
