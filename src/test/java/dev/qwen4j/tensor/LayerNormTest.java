package dev.qwen4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Vector LayerNorm against its scalar twin and a double-precision definition. */
class LayerNormTest {
    private final Random rnd = new Random(7);

    @Test
    void vectorMatchesScalarAndDefinition() {
        int[] lengths = {1, 2, 15, 16, 17, 31, 32, 33, 64, 100, 1024, 4608};
        for (int n : lengths) {
            float[] x = new float[n + 5], w = new float[n], b = new float[n];
            float mean = rnd.nextFloat() * 4 - 2; // an offset mean: the two-pass variance must not cancel
            for (int i = 0; i < x.length; i++) x[i] = mean + (float) rnd.nextGaussian();
            for (int i = 0; i < n; i++) {
                w[i] = 1 + 0.1f * (float) rnd.nextGaussian();
                b[i] = 0.1f * (float) rnd.nextGaussian();
            }
            float[] vec = new float[n + 3], sca = new float[n + 3];
            LayerNorm.normalize(vec, 3, x, 5, w, b, n, 1e-6f);
            LayerNorm.normalizeScalar(sca, 3, x, 5, w, b, n, 1e-6f);
            double m = 0, v = 0;
            for (int i = 0; i < n; i++) m += x[5 + i];
            m /= n;
            for (int i = 0; i < n; i++) v += (x[5 + i] - m) * (x[5 + i] - m);
            v /= n;
            for (int i = 0; i < n; i++) {
                double want = (x[5 + i] - m) / Math.sqrt(v + 1e-6) * w[i] + b[i];
                assertThat((double) vec[3 + i]).as("n=%d i=%d vs definition", n, i).isCloseTo(want, within(2e-5 * (1 + Math.abs(want))));
                assertThat(vec[3 + i]).as("n=%d i=%d vs scalar", n, i).isCloseTo(sca[3 + i], within(2e-5f * (1 + Math.abs(sca[3 + i]))));
            }
            for (int i = 0; i < 3; i++) assertThat(vec[i]).as("nothing written before the output").isZero();
        }
    }

    @Test
    void rowsVersionNormalisesEveryRow() {
        int n = 48, rows = 37;
        float[] x = new float[n * rows], w = new float[n], b = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian() * 3;
        for (int i = 0; i < n; i++) {
            w[i] = 1 + 0.1f * (float) rnd.nextGaussian();
            b[i] = 0.1f * (float) rnd.nextGaussian();
        }
        float[] got = new float[x.length], want = new float[n];
        LayerNorm.normalizeRows(got, 0, x, 0, w, b, n, rows, 1e-6f);
        for (int r = 0; r < rows; r++) {
            LayerNorm.normalizeScalar(want, 0, x, r * n, w, b, n, 1e-6f);
            for (int i = 0; i < n; i++) assertThat(got[r * n + i]).isCloseTo(want[i], within(1e-5f));
        }
    }
}
