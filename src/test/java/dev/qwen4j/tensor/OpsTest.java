package dev.qwen4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector {@link Ops} against their {@link ScalarOps} twins on random lengths (0..300, with the
 * vector-length edges) and random offsets, checking that nothing outside the range is written.
 * Tolerances are stated per kernel in units of u = 2⁻²⁴ (f32 unit roundoff), from how many roundings
 * can differ between the two evaluation orders.
 */
class OpsTest {
    private static final double U = 0x1p-24;
    private static final int[] EDGE = {0, 1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 300};
    private final Random rnd = new Random(42);

    private int randomLength(int i) {
        return i < EDGE.length ? EDGE[i] : rnd.nextInt(301);
    }

    private float[] arr(int n, float scale) {
        return TestWeights.randomArray(rnd, n, scale);
    }

    private static void close(String what, float[] got, float[] want, double[] tol) {
        for (int i = 0; i < got.length; i++) {
            double e = Math.abs((double) got[i] - want[i]);
            if (!(e <= tol[i]) && !(Float.isNaN(got[i]) && Float.isNaN(want[i])) && got[i] != want[i]) {
                fail(what + " at " + i + ": " + got[i] + " vs scalar " + want[i] + " (tol " + tol[i] + ")");
            }
        }
    }

    @Test
    void rmsnorm() {
        for (int it = 0; it < 200; it++) {
            int n = Math.max(1, randomLength(it));
            int xOff = rnd.nextInt(4), oOff = rnd.nextInt(4);
            float[] x = arr(xOff + n + 3, 3f), w = arr(n + 2, 1.5f);
            float[] a = new float[oOff + n + 5], b = a.clone();
            Ops.rmsnorm(a, oOff, x, xOff, w, n, 1e-6f);
            ScalarOps.rmsnorm(b, oOff, x, xOff, w, n, 1e-6f);
            // sum of squares: ≤ n roundings apart (all terms ≥ 0, so relative); through rsqrt that is
            // halved, plus a few roundings for the divide, add, cast and the two products per element
            double[] tol = new double[a.length];
            for (int i = 0; i < tol.length; i++) tol[i] = (n + 8) * U * Math.abs(b[i]) + 1e-37;
            close("rmsnorm n=" + n, a, b, tol);

            // in place, as the attention block uses it
            float[] y = x.clone(), z = x.clone();
            Ops.rmsnorm(y, xOff, y, xOff, w, n, 1e-6f);
            ScalarOps.rmsnorm(z, xOff, z, xOff, w, n, 1e-6f);
            double[] tol2 = new double[y.length];
            for (int i = 0; i < tol2.length; i++) tol2[i] = (n + 8) * U * Math.abs(z[i]) + 1e-37;
            close("rmsnorm in place n=" + n, y, z, tol2);
        }
    }

    @Test
    void addInPlaceAndScaleAreExact() {
        for (int it = 0; it < 200; it++) {
            int n = randomLength(it);
            int so = rnd.nextInt(4), dOff = rnd.nextInt(4);
            float[] src = arr(so + n + 2, 2f), d1 = arr(dOff + n + 3, 2f), d2 = d1.clone();
            Ops.addInPlace(d1, dOff, src, so, n);
            ScalarOps.addInPlace(d2, dOff, src, so, n);
            assertEquals(Arrays.toString(d2), Arrays.toString(d1), "addInPlace n=" + n);
            float s = rnd.nextFloat() * 4 - 2;
            Ops.scale(d1, dOff, s, n);
            ScalarOps.scale(d2, dOff, s, n);
            assertEquals(Arrays.toString(d2), Arrays.toString(d1), "scale n=" + n);
        }
    }

    @Test
    void siluMul() {
        for (int it = 0; it < 200; it++) {
            int n = randomLength(it);
            int gOff = rnd.nextInt(4), uOff = rnd.nextInt(4);
            float[] g1 = arr(gOff + n + 2, it % 5 == 0 ? 120f : 8f), g2 = g1.clone(), up = arr(uOff + n + 2, 3f);
            Ops.siluMul(g1, gOff, up, uOff, n);
            ScalarOps.siluMul(g2, gOff, up, uOff, n);
            // exp within 1 ulp of Math.exp's rounded value (2 ulp apart at most), then add, divide and
            // multiply: ≤ 6 roundings apart in total
            double[] tol = new double[g1.length];
            for (int i = 0; i < tol.length; i++) tol[i] = 8 * U * Math.abs(g2[i]) + 1e-37;
            close("siluMul n=" + n, g1, g2, tol);
        }
    }

    @Test
    void dotAndAxpy() {
        for (int it = 0; it < 300; it++) {
            int n = randomLength(it);
            int ao = rnd.nextInt(4), bo = rnd.nextInt(4);
            float[] a = arr(ao + n + 1, 2f), b = arr(bo + n + 1, 2f);
            double mag = 0;
            for (int i = 0; i < n; i++) mag += Math.abs((double) a[ao + i] * b[bo + i]);
            float got = Ops.dot(a, ao, b, bo, n), want = ScalarOps.dot(a, ao, b, bo, n);
            // two summation orders, each within γ_(n+1)·Σ|a·b| of the exact sum
            double tol = 2 * (n + 1) * U * mag + 1e-37;
            if (!(Math.abs(got - want) <= tol)) fail("dot n=" + n + ": " + got + " vs " + want);

            float s = rnd.nextFloat() * 2 - 1;
            float[] d1 = arr(bo + n + 3, 2f), d2 = d1.clone();
            Ops.axpy(s, a, ao, d1, bo, n);
            ScalarOps.axpy(s, a, ao, d2, bo, n);
            // fused multiply-add vs multiply then add: one rounding of s·src apart
            double[] t = new double[d1.length];
            for (int i = 0; i < t.length; i++) {
                int k = i - bo;
                t[i] = (k >= 0 && k < n ? U * Math.abs(s * a[ao + k]) : 0) + 2 * U * Math.abs(d2[i]) + 1e-37;
            }
            close("axpy n=" + n, d1, d2, t);
        }
    }

    @Test
    void softmax() {
        for (int it = 0; it < 300; it++) {
            int n = randomLength(it);
            int off = rnd.nextInt(4);
            float[] x1 = arr(off + n + 3, it % 3 == 0 ? 40f : 5f), x2 = x1.clone();
            Ops.softmax(x1, off, n);
            ScalarOps.softmax(x2, off, n);
            // each exp ≤ 2 ulp apart, the sum ≤ n roundings apart (positive terms), then one scaling
            double[] tol = new double[x1.length];
            for (int i = 0; i < tol.length; i++) tol[i] = (n + 8) * U * Math.abs(x2[i]) + 1e-37;
            close("softmax n=" + n, x1, x2, tol);
        }
    }

    @Test
    void softmaxOfOneElementIsOne() {
        float[] x = {3f, -7f, 5f};
        Ops.softmax(x, 1, 1);
        assertEquals(1f, x[1]);
        assertEquals(3f, x[0]);
        assertEquals(5f, x[2]);
    }
}
