package dev.qwen4j.tensor;

import static dev.qwen4j.tensor.Halfs.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * PyTorch LayerNorm with affine weight and bias (the vision tower's norms):
 * out = (x − mean) / sqrt(var + eps) · w + b, with the biased variance, statistics in f32.
 * {@link #normalizeScalar} is the plain-loop twin the tests compare with.
 */
public final class LayerNorm {
    private LayerNorm() {}

    private static final int L = F.length();

    /** out[outOff..+n) = LayerNorm(x[xOff..+n)); out may be x at the same offset. */
    public static void normalize(float[] out, int outOff, float[] x, int xOff, float[] w, float[] b, int n, float eps) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - L; i += L) acc = FloatVector.fromArray(F, x, xOff + i).add(acc); // receiver not a loop phi: see Ops.softmax
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += x[xOff + i];
        float mean = sum / n;
        // second pass over (x − mean) rather than E[x²] − mean², which cancels badly for large means
        FloatVector vm = FloatVector.broadcast(F, mean);
        acc = FloatVector.zero(F);
        i = 0;
        for (; i <= n - L; i += L) {
            FloatVector d = FloatVector.fromArray(F, x, xOff + i).sub(vm);
            acc = d.fma(d, acc);
        }
        float ss = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float d = x[xOff + i] - mean;
            ss += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, x, xOff + i).sub(vm).mul(inv)
                    .fma(FloatVector.fromArray(F, w, i), FloatVector.fromArray(F, b, i))
                    .intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = (x[xOff + i] - mean) * inv * w[i] + b[i];
    }

    /** LayerNorm of `rows` consecutive vectors of length n, rows split across the compute threads. */
    public static void normalizeRows(float[] out, int outOff, float[] x, int xOff, float[] w, float[] b, int n, int rows, float eps) {
        Parallel.forRange(rows, 1, (from, to) -> {
            for (int r = from; r < to; r++) normalize(out, outOff + r * n, x, xOff + r * n, w, b, n, eps);
        });
    }

    /** The scalar twin of {@link #normalize}. */
    public static void normalizeScalar(float[] out, int outOff, float[] x, int xOff, float[] w, float[] b, int n, float eps) {
        float sum = 0f;
        for (int i = 0; i < n; i++) sum += x[xOff + i];
        float mean = sum / n;
        float ss = 0f;
        for (int i = 0; i < n; i++) {
            float d = x[xOff + i] - mean;
            ss += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) out[outOff + i] = (x[xOff + i] - mean) * inv * w[i] + b[i];
    }
}
