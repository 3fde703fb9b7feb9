package dev.qwen4j.tensor;

/** Plain scalar twins of the {@link Ops} kernels: the reference the tests compare the vector versions with. */
final class ScalarOps {
    private ScalarOps() {}

    /** out = x · rsqrt(mean(x²) + eps) · w over n elements (HF Qwen3RMSNorm, plain weight). */
    static void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] w, int n, float eps) {
        float ss = 0f;
        for (int i = 0; i < n; i++) ss += x[xOff + i] * x[xOff + i];
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) out[outOff + i] = x[xOff + i] * inv * w[i];
    }

    /** dst[i] += src[i] for n elements. */
    static void addInPlace(float[] dst, int dstOff, float[] src, int srcOff, int n) {
        for (int i = 0; i < n; i++) dst[dstOff + i] += src[srcOff + i];
    }

    /** gate[i] = silu(gate[i]) · up[i]: the SwiGLU activation. */
    static void siluMul(float[] gate, int gOff, float[] up, int uOff, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[gOff + i];
            gate[gOff + i] = g / (1f + (float) Math.exp(-g)) * up[uOff + i];
        }
    }

    /** Σ a[i]·b[i]. */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float acc = 0f;
        for (int i = 0; i < n; i++) acc += a[aOff + i] * b[bOff + i];
        return acc;
    }

    /** dst[i] += s · src[i]. */
    static void axpy(float s, float[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) dst[dstOff + i] += s * src[srcOff + i];
    }

    /** x[i] *= s for n elements. */
    static void scale(float[] x, int off, float s, int n) {
        for (int i = 0; i < n; i++) x[off + i] *= s;
    }

    /** In-place numerically stable softmax over x[off .. off+n). */
    static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) x[off + i] *= inv;
    }
}
