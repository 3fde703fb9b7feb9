package dev.qwen4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The vectorised panel packing (staging + 16 × 16 transposes) is bit-identical to the scalar one. */
class GemmPackTest {
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"}) // block types: see tensor.quant tests
    void vectorPackEqualsScalarPack(DType dtype) {
        Random rnd = new Random(5 + dtype.ordinal());
        for (int iter = 0; iter < 60; iter++) {
            int rows = Gemm.RB * (1 + rnd.nextInt(3)) + rnd.nextInt(Gemm.RB);
            int cols = 1 + rnd.nextInt(300);
            WeightMatrix w = TestWeights.random(rnd, dtype, rows, cols, iter % 2 == 0 ? 2 : 6);
            int r0 = Gemm.RB * rnd.nextInt(rows / Gemm.RB + 1);
            int rb = Math.min(Gemm.RB, rows - r0);
            if (rb <= 0) continue;
            int k0 = rnd.nextInt(cols);
            int kc = 1 + rnd.nextInt(cols - k0);
            float[] got = new float[Gemm.RB * Gemm.KC_MAX], want = new float[Gemm.RB * Gemm.KC_MAX];
            Arrays.fill(got, Float.NaN);
            Arrays.fill(want, Float.NaN);
            Gemm.pack(w, r0, rb, k0, kc, got, new float[16 * Gemm.STAGE_W]);
            Gemm.packScalar(w, r0, rb, k0, 0, kc, want);
            assertArrayEquals(want, got, dtype + " rows=" + rows + " cols=" + cols + " r0=" + r0 + " k0=" + k0 + " kc=" + kc);
        }
    }
}
