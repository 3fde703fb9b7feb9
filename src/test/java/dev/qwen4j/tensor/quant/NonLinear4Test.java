package dev.qwen4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** IQ4 block-scale search: the trials-in-lanes version gives exactly the scalar (llama.cpp-ordered) result. */
class NonLinear4Test {
    @Test
    void trialLanesMatchTheScalarSearch() {
        Random rnd = new Random(23);
        int changed = 0;
        for (int trial = 0; trial < 20000; trial++) {
            float[] x = new float[40];
            for (int j = 0; j < 32; j++) {
                float g = (float) rnd.nextGaussian();
                x[5 + j] = switch (trial % 6) {
                    case 0 -> g;
                    case 1 -> Math.abs(g) * 7;
                    case 2 -> j == 3 ? 50 * g : 0.05f * g;
                    case 3 -> g * 1e-17f;
                    case 4 -> rnd.nextInt(5) - 2;
                    default -> 0f;
                };
            }
            byte[] c1 = new byte[40], c2 = new byte[40];
            float d1 = NonLinear4.blockScaleScalar(x, 5, c1, 4);
            float d2 = NonLinear4.blockScale(x, 5, c2, 4);
            assertThat(Float.floatToRawIntBits(d2)).as("scale, trial %d", trial).isEqualTo(Float.floatToRawIntBits(d1));
            assertThat(c2).as("codes, trial %d", trial).isEqualTo(c1);
            // how often a trial scale beat the first guess, so the lanes' comparisons are exercised
            float amax = 0, max = 0;
            for (int j = 0; j < 32; j++) if (Math.abs(x[5 + j]) > amax) { amax = Math.abs(x[5 + j]); max = x[5 + j]; }
            if (amax > 0 && d1 != firstGuess(x, max)) changed++;
        }
        assertThat(changed).isGreaterThan(2000);
    }

    /** The least-squares scale for the levels of d = max/−127, before the trials. */
    private static float firstGuess(float[] x, float max) {
        float id = 1 / (-max / NonLinear4.LEVELS[0]), sumqx = 0, sumq2 = 0;
        for (int j = 0; j < 32; j++) {
            float xj = x[5 + j], q = NonLinear4.LEVELS[NonLinear4.nearestLevel(id * xj)], w = xj * xj;
            sumqx += w * q * xj;
            sumq2 += w * q * q;
        }
        return sumqx / sumq2;
    }

    @Test
    void nearestLevelsInLanesMatchTheScalarBisection() {
        Random rnd = new Random(29);
        float[] x = new float[64 + 7];
        byte[] codes = new byte[64 + 3];
        for (int trial = 0; trial < 3000; trial++) {
            for (int j = 0; j < x.length; j++) {
                x[j] = switch (trial % 4) {
                    case 0 -> (float) rnd.nextGaussian() * 80;
                    case 1 -> rnd.nextInt(300) - 150; // integers: ends, levels and exact midpoints between them (ties)
                    case 2 -> (NonLinear4.LEVELS[rnd.nextInt(15)] + NonLinear4.LEVELS[rnd.nextInt(15) + 1]) / 2f;
                    default -> (float) rnd.nextGaussian() * 1000;
                };
            }
            if (trial == 0) x[9] = Float.NaN;
            float scale = trial % 4 == 3 ? 0.1f : 1f;
            NonLinear4.nearestLevels(x, 7, scale, codes, 3, 64);
            for (int j = 0; j < 64; j++) {
                assertThat(codes[3 + j]).as("trial %d value %s", trial, x[7 + j] * scale).isEqualTo((byte) NonLinear4.nearestLevel(scale * x[7 + j]));
            }
        }
    }
}
