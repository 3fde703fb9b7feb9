package dev.qwen4j.tensor;

import static dev.qwen4j.tensor.Halfs.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The two GELU forms of Qwen3-VL's vision tower, in place, vectorised with scalar twins:
 * <ul>
 *   <li>{@link #tanhApprox}: `gelu_pytorch_tanh`, 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))) — the ViT MLP;</li>
 *   <li>{@link #exact}: `nn.GELU()`, 0.5·z·(1 + erf(z/√2)) — both patch mergers.</li>
 * </ul>
 * Java has no erf (scalar or vector), so {@link #erf} is Abramowitz & Stegun 7.1.26,
 * |error| ≤ 1.5e-7: below f32 resolution of the result for |z| ≲ 1 and far below the tolerances.
 */
public final class Gelu {
    private Gelu() {}

    private static final int L = F.length();
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float INV_SQRT2 = (float) (1.0 / Math.sqrt(2.0));
    // Abramowitz & Stegun 7.1.26
    private static final float P = 0.3275911f;
    private static final float A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;

    public static void tanhApprox(float[] x, int off, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector z = FloatVector.fromArray(F, x, off + i);
            FloatVector inner = z.mul(z).mul(z).mul(0.044715f).add(z).mul(SQRT_2_OVER_PI);
            z.mul(0.5f).mul(inner.lanewise(VectorOperators.TANH).add(1f)).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] = tanhApproxScalar(x[off + i]);
    }

    public static void exact(float[] x, int off, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector z = FloatVector.fromArray(F, x, off + i);
            FloatVector u = z.mul(INV_SQRT2);
            FloatVector a = u.abs();
            FloatVector t = a.mul(P).add(1f);
            t = FloatVector.broadcast(F, 1f).div(t);
            FloatVector poly = t.mul(A5).add(A4).mul(t).add(A3).mul(t).add(A2).mul(t).add(A1).mul(t);
            FloatVector erfAbs = poly.mul(a.mul(a).neg().lanewise(VectorOperators.EXP)).neg().add(1f);
            VectorMask<Float> negative = u.compare(VectorOperators.LT, 0f);
            FloatVector erf = erfAbs.blend(erfAbs.neg(), negative);
            z.mul(0.5f).mul(erf.add(1f)).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] = exactScalar(x[off + i]);
    }

    /** Scalar twin of {@link #tanhApprox} over a range. */
    public static void tanhApproxScalar(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) x[off + i] = tanhApproxScalar(x[off + i]);
    }

    /** Scalar twin of {@link #exact} over a range. */
    public static void exactScalar(float[] x, int off, int n) {
        for (int i = 0; i < n; i++) x[off + i] = exactScalar(x[off + i]);
    }

    static float tanhApproxScalar(float z) {
        float inner = SQRT_2_OVER_PI * (z + 0.044715f * z * z * z);
        return 0.5f * z * (1f + (float) Math.tanh(inner));
    }

    static float exactScalar(float z) {
        return 0.5f * z * (1f + erf(z * INV_SQRT2));
    }

    /** erf(u) to ±1.5e-7 (Abramowitz & Stegun 7.1.26). */
    public static float erf(float u) {
        float a = Math.abs(u);
        float t = 1f / (1f + P * a);
        float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        float r = 1f - poly * (float) Math.exp(-a * a);
        return u < 0 ? -r : r;
    }
}
