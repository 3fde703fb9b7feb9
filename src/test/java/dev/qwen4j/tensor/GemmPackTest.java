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
            Gemm.pack(w, r0, rb, k0, kc, got, new float[Gemm.STAGE_FLOATS]);
            Gemm.packScalar(w, r0, rb, k0, 0, kc, want);
            assertArrayEquals(want, got, dtype + " rows=" + rows + " cols=" + cols + " r0=" + r0 + " k0=" + k0 + " kc=" + kc);
        }
    }

    /** Block-quantized panels: whole blocks dequantized, equal to the scalar pack and to W's values one by one. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void quantizedPackEqualsScalarPackAndValues(DType dtype) {
        Random rnd = new Random(11 + dtype.ordinal());
        int block = dtype.blockSize();
        for (int iter = 0; iter < 12; iter++) {
            int rows = Gemm.RB * (1 + rnd.nextInt(2)) + (iter % 3 == 0 ? rnd.nextInt(Gemm.RB) : 0);
            int blocks = 1 + rnd.nextInt(block == 256 ? 4 : 20);
            int cols = blocks * block;
            long rowBytes = dtype.byteSize(cols);
            java.lang.foreign.MemorySegment data = java.lang.foreign.Arena.ofAuto().allocate(rows * rowBytes + 1, 64).asSlice(1, rows * rowBytes);
            float[] row = new float[cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) row[c] = (float) rnd.nextGaussian();
                dev.qwen4j.tensor.quant.QuantRows.quantize(dtype, row, 0, cols, data, r * rowBytes);
            }
            WeightMatrix w = new WeightMatrix("q", data, dtype, rows, cols);
            int r0 = Gemm.RB * rnd.nextInt((rows + Gemm.RB - 1) / Gemm.RB);
            int rb = Math.min(Gemm.RB, rows - r0);
            int k0 = block * rnd.nextInt(blocks);
            int kc = block * (1 + rnd.nextInt(blocks - k0 / block));
            float[] got = new float[Gemm.RB * Gemm.KC_MAX], want = new float[Gemm.RB * Gemm.KC_MAX];
            Gemm.pack(w, r0, rb, k0, kc, got, new float[Gemm.STAGE_FLOATS]);
            Gemm.packScalar(w, r0, rb, k0, 0, kc, want);
            assertArrayEquals(want, got, dtype + " rows=" + rows + " cols=" + cols + " r0=" + r0 + " k0=" + k0 + " kc=" + kc);
            for (int k = 0; k < kc; k += 7) {
                for (int r = 0; r < Gemm.RB; r++) {
                    float v = r < rb ? w.get(r0 + r, k0 + k) : 0f;
                    org.junit.jupiter.api.Assertions.assertEquals(v, got[k * Gemm.RB + r], dtype + " value (" + (r0 + r) + ", " + (k0 + k) + ")");
                }
            }
        }
    }
}
