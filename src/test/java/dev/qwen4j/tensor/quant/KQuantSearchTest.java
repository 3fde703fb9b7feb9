package dev.qwen4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The candidate-per-lane scale searches give exactly what the scalar twins (C's order of operations) give. */
class KQuantSearchTest {
    /** Blocks of many shapes: symmetric, one-signed, constant, zero, tiny, with an outlier, few distinct values. */
    private static float[] block(Random rnd, int n, int kind) {
        float[] x = new float[n + 3];
        for (int i = 0; i < n; i++) {
            float g = (float) rnd.nextGaussian();
            x[3 + i] = switch (kind % 8) {
                case 0 -> g;
                case 1 -> Math.abs(g) + 0.5f;
                case 2 -> -Math.abs(g) * 3;
                case 3 -> 0.75f;
                case 4 -> 0f;
                case 5 -> g * 1e-20f;
                case 6 -> i == n / 2 ? 40f * g : g * 0.1f;
                default -> rnd.nextInt(3) - 1;
            };
        }
        return x;
    }

    @Test
    void qkx2LanesMatchTheScalarSearch() {
        Random rnd = new Random(17);
        // (n, nmax, rmin, nstep, mad) of Q4_K, Q5_K and Q2_K
        Object[][] params = {{32, 15, -1f, 20, false}, {32, 31, -0.5f, 15, false}, {16, 3, -0.5f, 15, true}};
        int winners = 0;
        for (Object[] p : params) {
            int n = (int) p[0], nmax = (int) p[1], nstep = (int) p[3];
            float rmin = (float) p[2];
            boolean mad = (boolean) p[4];
            for (int trial = 0; trial < 4000; trial++) {
                float[] x = block(rnd, n, trial);
                float[] w = new float[n];
                float sumX2 = 0;
                for (int i = 0; i < n; i++) sumX2 += x[3 + i] * x[3 + i];
                float av = (float) Math.sqrt(sumX2 / n);
                for (int i = 0; i < n; i++) w[i] = mad ? Math.abs(x[3 + i]) : av + Math.abs(x[3 + i]);
                int[] l1 = new int[n + 5], l2 = new int[n + 5], laux = new int[n];
                float[] m1 = new float[1], m2 = new float[1];
                float s1 = KQuantSearch.makeQkx2QuantsScalar(n, nmax, x, 3, w, l1, 5, m1, laux, rmin, 0.1f, nstep, mad);
                float s2 = KQuantSearch.makeQkx2Quants(n, nmax, x, 3, w, l2, 5, m2, laux, rmin, 0.1f, nstep, mad);
                String what = "n=%d nmax=%d kind=%d trial=%d".formatted(n, nmax, trial % 8, trial);
                assertThat(Float.floatToRawIntBits(s2)).as("scale, " + what).isEqualTo(Float.floatToRawIntBits(s1));
                assertThat(Float.floatToRawIntBits(m2[0])).as("min, " + what).isEqualTo(Float.floatToRawIntBits(m1[0]));
                assertThat(l2).as("levels, " + what).isEqualTo(l1);
                if (s1 != 0 && s1 != 1f / (nmax / (Math.max(0f, max(x, n)) - Math.min(0f, min(x, n))))) winners++;
            }
        }
        assertThat(winners).as("blocks where a searched candidate won").isGreaterThan(1000);
    }

    @Test
    void qxLanesMatchTheScalarSearch() {
        Random rnd = new Random(19);
        for (int trial = 0; trial < 12000; trial++) {
            float[] x = block(rnd, 16, trial);
            int[] l1 = new int[21], l2 = new int[21];
            float s1 = KQuantSearch.makeQxQuantsScalar(16, 32, x, 3, l1, 5);
            float s2 = KQuantSearch.makeQxQuants(16, 32, x, 3, l2, 5);
            assertThat(Float.floatToRawIntBits(s2)).as("scale, trial %d", trial).isEqualTo(Float.floatToRawIntBits(s1));
            assertThat(l2).as("levels, trial %d", trial).isEqualTo(l1);
        }
    }

    private static float max(float[] x, int n) {
        float m = x[3];
        for (int i = 1; i < n; i++) m = Math.max(m, x[3 + i]);
        return m;
    }

    private static float min(float[] x, int n) {
        float m = x[3];
        for (int i = 1; i < n; i++) m = Math.min(m, x[3 + i]);
        return m;
    }
}
