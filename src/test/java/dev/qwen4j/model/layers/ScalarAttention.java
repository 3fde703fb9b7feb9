package dev.qwen4j.model.layers;

import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvCache;

/** The plain per-head causal GQA attention loop in f64: the reference for tests and benchmarks. */
final class ScalarAttention {
    private ScalarAttention() {}

    static double[] run(ForwardBatch batch, int layer, float[] q, int numHeads, int numKvHeads, int headDim, float scale) {
        int group = numHeads / numKvHeads, qDim = numHeads * headDim;
        double[] out = new double[batch.size() * qDim];
        for (int t = 0; t < batch.size(); t++) {
            KvCache c = batch.cache(t);
            int len = batch.cachePosition(t) + 1;
            for (int h = 0; h < numHeads; h++) {
                int qOff = t * qDim + h * headDim, kv = (h / group) * headDim;
                double[] s = new double[len];
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p < len; p++) {
                    double acc = 0;
                    for (int d = 0; d < headDim; d++) acc += (double) q[qOff + d] * key(c, layer, p, kv + d);
                    s[p] = acc * scale;
                    max = Math.max(max, s[p]);
                }
                double sum = 0;
                for (int p = 0; p < len; p++) sum += s[p] = Math.exp(s[p] - max);
                for (int d = 0; d < headDim; d++) {
                    double acc = 0;
                    for (int p = 0; p < len; p++) acc += s[p] / sum * value(c, layer, p, kv + d);
                    out[qOff + d] = acc;
                }
            }
        }
        return out;
    }

    /** Element i of slot p's key row, from an f32 or a bf16 cache (exact). */
    static float key(KvCache c, int layer, int p, int i) {
        return c.bf16() ? dev.qwen4j.tensor.Bf16.toFloat(c.keys16(layer, p)[c.slotOffset(p) + i]) : c.keys(layer, p)[c.slotOffset(p) + i];
    }

    static float value(KvCache c, int layer, int p, int i) {
        return c.bf16() ? dev.qwen4j.tensor.Bf16.toFloat(c.values16(layer, p)[c.slotOffset(p) + i]) : c.values(layer, p)[c.slotOffset(p) + i];
    }
}
