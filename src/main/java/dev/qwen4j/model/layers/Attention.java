package dev.qwen4j.model.layers;

import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.tensor.Ops;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;

/**
 * Qwen3 self-attention: q/k/v projections, per-head RMSNorm of q and k, RoPE, KV-cache append, causal
 * GQA softmax attention in f32, output projection. Optional q/k/v biases (Qwen3-VL's vision tower and
 * Qwen2-style models have them; Qwen3 text does not).
 */
public final class Attention {
    private final WeightMatrix wq, wk, wv, wo;
    private final float[] qNorm, kNorm;
    private final int numHeads, numKvHeads, headDim;
    private final float eps;
    private final int layer;

    public Attention(int layer, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                     float[] qNorm, float[] kNorm, int numHeads, int numKvHeads, int headDim, float eps) {
        this.layer = layer;
        this.wq = wq;
        this.wk = wk;
        this.wv = wv;
        this.wo = wo;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.numHeads = numHeads;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.eps = eps;
    }

    /** out[n×H] = Attention(x[n×H]) for the batch; scratch arrays are sized by the caller. */
    public void forward(ForwardBatch batch, float[] x, float[] out, Scratch s, RotaryEmbedding rope) {
        int n = batch.size();
        int qDim = numHeads * headDim, kvDim = numKvHeads * headDim;
        wq.matmul(x, 0, s.q, 0, n);
        wk.matmul(x, 0, s.k, 0, n);
        wv.matmul(x, 0, s.v, 0, n);

        float[] cos = new float[headDim / 2], sin = new float[headDim / 2];
        int axes = batch.hasMultimodalPositions() ? 3 : 1;
        int[] posRows = new int[3 * n];
        for (int a = 0; a < 3; a++) System.arraycopy(batch.ropePositionRow(Math.min(a, axes - 1)), 0, posRows, a * n, n);
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < numHeads; h++) Ops.rmsnorm(s.q, t * qDim + h * headDim, s.q, t * qDim + h * headDim, qNorm, headDim, eps);
            for (int h = 0; h < numKvHeads; h++) Ops.rmsnorm(s.k, t * kvDim + h * headDim, s.k, t * kvDim + h * headDim, kNorm, headDim, eps);
            rope.angles(posRows, t, n, cos, sin);
            rope.rotate(s.q, t * qDim, numHeads, cos, sin);
            rope.rotate(s.k, t * kvDim, numKvHeads, cos, sin);
            KvCache c = batch.cache(t);
            int p = batch.cachePosition(t);
            System.arraycopy(s.k, t * kvDim, c.keys(layer, p), c.slotOffset(p), kvDim);
            System.arraycopy(s.v, t * kvDim, c.values(layer, p), c.slotOffset(p), kvDim);
        }

        float scale = (float) (1.0 / Math.sqrt(headDim));
        int group = numHeads / numKvHeads;
        Parallel.forRange(n * numHeads, 1, (from, to) -> {
            float[] scores = null;
            for (int item = from; item < to; item++) {
                int t = item / numHeads, h = item % numHeads;
                KvCache c = batch.cache(t);
                int len = batch.cachePosition(t) + 1;
                if (scores == null || scores.length < len) scores = new float[Math.max(len, 256)];
                int qOff = t * qDim + h * headDim;
                int kvHeadOff = (h / group) * headDim;
                for (int p = 0; p < len; p++) {
                    scores[p] = Ops.dot(s.q, qOff, c.keys(layer, p), c.slotOffset(p) + kvHeadOff, headDim) * scale;
                }
                Ops.softmax(scores, 0, len);
                int oOff = t * qDim + h * headDim;
                java.util.Arrays.fill(s.att, oOff, oOff + headDim, 0f);
                for (int p = 0; p < len; p++) {
                    Ops.axpy(scores[p], c.values(layer, p), c.slotOffset(p) + kvHeadOff, s.att, oOff, headDim);
                }
            }
        });
        wo.matmul(s.att, 0, out, 0, n);
    }

    public long bytesPerToken() {
        return wq.data().byteSize() + wk.data().byteSize() + wv.data().byteSize() + wo.data().byteSize();
    }

    public long flopsPerToken() {
        return 2L * (wq.rows() + wk.rows() + wv.rows()) * wq.cols() + 2L * wo.rows() * wo.cols();
    }

    /** Per-step activation buffers for attention, reused across layers. */
    public static final class Scratch {
        public float[] q = new float[0], k = new float[0], v = new float[0], att = new float[0];

        public void ensure(int n, int qDim, int kvDim) {
            if (q.length < n * qDim) {
                q = new float[n * qDim];
                att = new float[n * qDim];
            }
            if (k.length < n * kvDim) {
                k = new float[n * kvDim];
                v = new float[n * kvDim];
            }
        }
    }
}
