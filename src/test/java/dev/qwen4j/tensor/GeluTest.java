package dev.qwen4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Both GELU forms: vector against scalar twin, and against double-precision definitions. */
class GeluTest {
    private final Random rnd = new Random(11);

    /** erf by its Maclaurin series in double: exact to ~1e-13 for |u| ≤ 3. */
    private static double erfSeries(double u) {
        double sum = 0, term = u;
        for (int k = 0; k < 200; k++) {
            sum += term / (2 * k + 1);
            term *= -u * u / (k + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void erfIsAccurate() {
        for (double u = -3; u <= 3; u += 0.01) {
            assertThat((double) Gelu.erf((float) u)).as("erf(%f)", u).isCloseTo(erfSeries((float) u), within(3e-7));
        }
        assertThat(Gelu.erf(6f)).isEqualTo(1f);
        assertThat(Gelu.erf(-6f)).isEqualTo(-1f);
    }

    @Test
    void vectorMatchesScalarAndDefinitions() {
        for (int n : new int[] {1, 7, 16, 17, 33, 100, 1000}) {
            float[] x = new float[n + 4];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian() * 4;
            float[] exact = x.clone(), exactScalar = x.clone(), tanh = x.clone(), tanhScalar = x.clone();
            Gelu.exact(exact, 2, n);
            Gelu.exactScalar(exactScalar, 2, n);
            Gelu.tanhApprox(tanh, 2, n);
            Gelu.tanhApproxScalar(tanhScalar, 2, n);
            for (int i = 0; i < x.length; i++) {
                if (i < 2 || i >= n + 2) {
                    assertThat(exact[i]).as("outside the range").isEqualTo(x[i]);
                    assertThat(tanh[i]).as("outside the range").isEqualTo(x[i]);
                    continue;
                }
                double z = x[i];
                double wantExact = 0.5 * z * (1 + erfSeriesOrSign(z / Math.sqrt(2)));
                double wantTanh = 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
                double tol = 1e-6 * (1 + Math.abs(z));
                assertThat((double) exact[i]).as("gelu(%f)", z).isCloseTo(wantExact, within(tol));
                assertThat((double) exactScalar[i]).as("scalar gelu(%f)", z).isCloseTo(wantExact, within(tol));
                assertThat((double) tanh[i]).as("gelu_tanh(%f)", z).isCloseTo(wantTanh, within(tol));
                assertThat((double) tanhScalar[i]).as("scalar gelu_tanh(%f)", z).isCloseTo(wantTanh, within(tol));
                assertThat(exact[i]).isCloseTo(exactScalar[i], within((float) tol));
            }
        }
    }

    private static double erfSeriesOrSign(double u) {
        return Math.abs(u) <= 3 ? erfSeries(u) : Math.signum(u) * (1 - Math.exp(-u * u) / (Math.abs(u) * Math.sqrt(Math.PI)));
    }

    @Test
    void theTwoFormsDiffer() {
        // guards against wiring one form in place of the other: they differ by up to ~5e-4 for |z| in [1, 4]
        float[] a = new float[64], b = new float[64];
        for (int i = 0; i < a.length; i++) a[i] = b[i] = -4 + 8f * i / 63;
        Gelu.exact(a, 0, a.length);
        Gelu.tanhApprox(b, 0, b.length);
        float max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        assertThat(max).isGreaterThan(2e-4f);
    }
}
