package dev.qwen4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The vector matmul kernels against the scalar loop and an f64 reference.
 *
 * <p>Tolerance: every kernel computes each output as a sum of cols f32 products in some order (the
 * scalar loop sequentially, the vector kernels lane-wise then across lanes, with fused
 * multiply-adds). For any such order the rounding error is at most γ_K·Σ|w·x| with
 * γ_K = K·u/(1 − K·u), u = 2⁻²⁴ and K = cols + 1 (cols roundings of products/sums plus one of
 * slack), so each result is checked against the f64 sum with that bound, and two f32 results against
 * each other with twice it. A wrong element, a missed tail or a stale accumulator is off by about
 * |w·x| of one term, far above the bound for the sizes here (cols ≤ 2100 → bound ≤ 1.3e-4·Σ|w·x|).
 */
class MatMulTest {
    private static final double U = 0x1p-24;
    private static final float SENTINEL = 12345.678f;

    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"}) // block types: see tensor.quant tests
    void randomOddShapesMatchScalarAndReference(DType dtype) {
        Random rnd = new Random(0xC0FFEE + dtype.ordinal());
        for (int iter = 0; iter < 120; iter++) {
            Parallel.setThreads(1 + iter % 3);
            int rows = 1 + rnd.nextInt(70);
            int cols = 1 + rnd.nextInt(300);
            int n = 1 + rnd.nextInt(40);
            int byteOffset = (iter & 1) == 0 ? 2 : 6;
            check(rnd, dtype, rows, cols, n, byteOffset);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"}) // block types: see tensor.quant tests
    void edgeShapes(DType dtype) {
        Random rnd = new Random(7 + dtype.ordinal());
        int[] dims = {1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 128, 129};
        int[] ns = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 64};
        for (int rows : new int[] {1, 16, 31, 32, 33, 64, 65}) {
            for (int cols : dims) {
                Parallel.setThreads(1 + (rows + cols) % 2);
                check(rnd, dtype, rows, cols, ns[(rows + cols) % ns.length], 2);
            }
        }
        for (int n : ns) check(rnd, dtype, 70, 129, n, 6);
    }

    /**
     * bf16 rows of whole {@link PairedBf16} blocks take its 4-row × 3-token register tiles for batches
     * below {@link MatMul#TILED_GEMM_MIN_N}: every remainder of rows (1–3 left after the tiles, inside
     * and at the end of a thread's chunk) and of tokens (1–2 left after the tiles).
     */
    @Test
    void pairedBf16TilesCoverEveryRemainder() {
        Random rnd = new Random(29);
        int block = PairedBf16.BLOCK;
        for (int rows : new int[] {1, 3, 4, 5, 7, 16, 18, 35, 70}) {
            for (int n = 1; n <= MatMul.TILED_GEMM_MIN_N + 1; n += (n < 8 ? 1 : 5)) {
                Parallel.setThreads(1 + (rows + n) % 3);
                check(rnd, DType.BF16, rows, block * (1 + (rows + n) % 4), n, (rows & 1) == 0 ? 2 : 6);
            }
        }
    }

    /**
     * One vector against bf16 rows wider than {@link PairedBf16#FOUR_ROWS_ABOVE_COLS}: four rows at a time, the
     * 1–3 rows left of a thread's chunk one at a time, and widths that are not whole pair-split steps.
     */
    @Test
    void wideBf16RowsGoFourAtATime() {
        Random rnd = new Random(41);
        int wide = PairedBf16.FOUR_ROWS_ABOVE_COLS + 2 * PairedBf16.BLOCK;
        for (int rows : new int[] {3, 4, 6, 37}) {
            Parallel.setThreads(1 + rows % 3);
            check(rnd, DType.BF16, rows, wide, 1, (rows & 1) == 0 ? 2 : 6);
            check(rnd, DType.BF16, rows, wide + PairedBf16.BLOCK, 1, 2);
        }
    }

    /** cols above Gemm.KC_MAX: K is processed in chunks that accumulate into the output. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"}) // block types: see tensor.quant tests
    void longRowsAccumulateAcrossKChunks(DType dtype) {
        Random rnd = new Random(11 + dtype.ordinal());
        Parallel.setThreads(2);
        check(rnd, dtype, 37, Gemm.KC_MAX + 76, 9, 2);
        check(rnd, dtype, 33, 2 * Gemm.KC_MAX + 52, 13, 6);
        check(rnd, dtype, 5, 2 * Gemm.KC_MAX + 1, 2, 6);
    }

    @Test
    void rowCountsSplitUnevenlyAcrossManyThreads() {
        Random rnd = new Random(3);
        for (int threads : new int[] {2, 3, 5, 8}) {
            Parallel.setThreads(threads);
            check(rnd, DType.BF16, 257, 40, 10, 2);
            check(rnd, DType.F16, 100, 33, 1, 6);
        }
    }

    @Test
    void badOffsetsAreRejectedUpFront() {
        WeightMatrix w = TestWeights.random(new Random(1), DType.BF16, 4, 8, 2);
        float[] x = new float[16], out = new float[8];
        assertThrows(IndexOutOfBoundsException.class, () -> w.matmul(x, 1, out, 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> w.matmul(x, 0, out, 1, 2));
        w.matmul(x, 0, out, 0, 2);
    }

    private static void check(Random rnd, DType dtype, int rows, int cols, int n, int byteOffset) {
        WeightMatrix w = TestWeights.random(rnd, dtype, rows, cols, byteOffset);
        int xOff = 1 + rnd.nextInt(5), outOff = 1 + rnd.nextInt(5);
        float[] x = TestWeights.randomArray(rnd, xOff + n * cols + 3, 2f);

        double[] ref = new double[n * rows];
        double[] mag = new double[n * rows];
        for (int b = 0; b < n; b++) {
            for (int r = 0; r < rows; r++) {
                double s = 0, m = 0;
                for (int c = 0; c < cols; c++) {
                    double p = (double) w.get(r, c) * x[xOff + b * cols + c];
                    s += p;
                    m += Math.abs(p);
                }
                ref[b * rows + r] = s;
                mag[b * rows + r] = m;
            }
        }

        float[] scalar = run(w, x, xOff, outOff, n, MatMul::matmulScalar);
        String shape = dtype + " [" + rows + ", " + cols + "] n=" + n + " off=" + byteOffset + " threads=" + Parallel.threads();
        compare("scalar " + shape, scalar, scalar, ref, mag, outOff, rows, cols, n);
        compare("dispatch " + shape, run(w, x, xOff, outOff, n, MatMul::matmul), scalar, ref, mag, outOff, rows, cols, n);
        compare("rows " + shape, run(w, x, xOff, outOff, n, MatMul::matmulRows), scalar, ref, mag, outOff, rows, cols, n);
        compare("packed " + shape, run(w, x, xOff, outOff, n, MatMul::matmulPacked), scalar, ref, mag, outOff, rows, cols, n);
    }

    interface Kernel {
        void run(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n);
    }

    private static float[] run(WeightMatrix w, float[] x, int xOff, int outOff, int n, Kernel k) {
        float[] out = new float[outOff + n * w.rows() + 4];
        Arrays.fill(out, SENTINEL);
        float[] xCopy = x.clone();
        k.run(w, x, xOff, out, outOff, n);
        if (!Arrays.equals(x, xCopy)) fail("kernel modified its input");
        return out;
    }

    private static void compare(String what, float[] got, float[] scalar, double[] ref, double[] mag,
                                int outOff, int rows, int cols, int n) {
        double gamma = (cols + 1) * U / (1 - (cols + 1) * U);
        for (int i = 0; i < got.length; i++) {
            if (i < outOff || i >= outOff + n * rows) {
                if (got[i] != SENTINEL) fail(what + ": wrote outside the output range at " + i);
                continue;
            }
            int j = i - outOff;
            double tol = gamma * mag[j] + cols * (double) Float.MIN_VALUE;
            double e = Math.abs(got[i] - ref[j]);
            if (!(e <= tol)) {
                fail(what + ": out[b=" + j / rows + ", r=" + j % rows + "] = " + got[i] + ", reference " + ref[j]
                        + " (error " + e + " > " + tol + ")");
            }
            double d = Math.abs(got[i] - scalar[i]);
            if (!(d <= 2 * tol)) {
                fail(what + ": out[b=" + j / rows + ", r=" + j % rows + "] = " + got[i] + ", scalar " + scalar[i]);
            }
        }
        assertEquals(got.length, scalar.length);
    }
}
