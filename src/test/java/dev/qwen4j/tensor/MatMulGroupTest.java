package dev.qwen4j.tensor;

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
 * Fused products of several matrices (one dispatch over their combined rows), and the paired bf16
 * decode kernel they and single matrices use, against the scalar loop per matrix. Tolerance as in
 * {@link MatMulTest}: γ_K·Σ|w·x| against the f64 sum, K = cols + 1.
 */
class MatMulGroupTest {
    private static final double U = 0x1p-24;
    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** Shapes that take the paired kernel (bf16, cols a multiple of 2·L) and ones that do not. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"}) // block types run matrix by matrix (tensor.quant tests)
    void groupsMatchPerMatrixReference(DType dtype) {
        Random rnd = new Random(41 + dtype.ordinal());
        int block = PairedBf16.BLOCK;
        for (int iter = 0; iter < 40; iter++) {
            Parallel.setThreads(1 + iter % 3);
            int cols = iter % 4 == 3 ? 1 + rnd.nextInt(200) : block * (1 + rnd.nextInt(6));
            int count = 1 + rnd.nextInt(3);
            WeightMatrix[] ws = new WeightMatrix[count];
            for (int i = 0; i < count; i++) ws[i] = TestWeights.random(rnd, dtype, 1 + rnd.nextInt(90), cols, 2 + 4 * (i & 1));
            check(rnd, ws, 1 + rnd.nextInt(12));
        }
    }

    @Test
    void mixedDtypesFallBackToPlainKernels() {
        Random rnd = new Random(5);
        Parallel.setThreads(2);
        int cols = 2 * PairedBf16.BLOCK;
        check(rnd, new WeightMatrix[] {
                TestWeights.random(rnd, DType.BF16, 33, cols, 2),
                TestWeights.random(rnd, DType.F32, 17, cols, 6),
                TestWeights.random(rnd, DType.F16, 40, cols, 2)}, 3);
    }

    @Test
    void pairedKernelOnSingleMatrices() {
        Random rnd = new Random(9);
        for (int n = 1; n <= 7; n++) {
            Parallel.setThreads(1 + n % 2);
            WeightMatrix w = TestWeights.random(rnd, DType.BF16, 1 + rnd.nextInt(70), PairedBf16.BLOCK * (1 + rnd.nextInt(5)), 2);
            check(rnd, new WeightMatrix[] {w}, n);
        }
    }

    /** Block-quantized groups (mixed formats, as Q4_K_M mixes Q4_K and Q6_K) fuse through the row kernels. */
    @Test
    void quantizedGroupsMatchPerMatrixReference() {
        Random rnd = new Random(77);
        DType[] formats = {DType.Q4_K, DType.Q6_K, DType.Q8_0, DType.Q4_0};
        for (int iter = 0; iter < 12; iter++) {
            Parallel.setThreads(1 + iter % 2);
            int cols = 256 * (1 + rnd.nextInt(3));
            int count = 1 + rnd.nextInt(3);
            WeightMatrix[] ws = new WeightMatrix[count];
            for (int i = 0; i < count; i++) ws[i] = quantized(rnd, formats[(iter + i) % formats.length], 1 + rnd.nextInt(80), cols);
            int n = 1 + rnd.nextInt(3);
            float[] x = TestWeights.randomArray(rnd, 1 + n * cols, 2f);
            float[][] outs = new float[count][];
            for (int i = 0; i < count; i++) {
                outs[i] = new float[n * ws[i].rows() + 2];
                Arrays.fill(outs[i], Float.NaN);
            }
            new MatMulGroup(ws).matmul(x, 1, outs, n);
            for (int i = 0; i < count; i++) {
                WeightMatrix w = ws[i];
                float[] scalar = new float[n * w.rows()];
                // interleaved copies multiply x rounded to 8 bits per 32 values
                float[] xw = w.interleaved() != null ? eightBit(x, 1, n, cols) : x;
                MatMul.matmulScalar(w, xw, 1, scalar, 0, n);
                for (int j = 0; j < scalar.length; j++) {
                    double m = 0;
                    for (int c = 0; c < cols; c++) m += Math.abs((double) w.get(j % w.rows(), c) * xw[1 + (j / w.rows()) * cols + c]);
                    // the row kernels fold offsets and mins into activation sums: a few more roundings than the loop
                    if (!(Math.abs(outs[i][j] - scalar[j]) <= 2e-5 * m + 1e-5)) fail(w + " n=" + n + " out[" + j + "] = " + outs[i][j] + ", scalar " + scalar[j]);
                }
                for (int j = scalar.length; j < outs[i].length; j++) {
                    if (!Float.isNaN(outs[i][j])) fail(w + ": wrote past the output at " + j);
                }
            }
        }
    }

    private static WeightMatrix quantized(Random rnd, DType t, int rows, int cols) {
        long rowBytes = t.byteSize(cols);
        java.lang.foreign.MemorySegment data = java.lang.foreign.Arena.ofAuto().allocate(rows * rowBytes);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) row[c] = (float) rnd.nextGaussian();
            dev.qwen4j.tensor.quant.QuantRows.quantize(t, row, 0, cols, data, r * rowBytes);
        }
        return new WeightMatrix("q" + t, data, t, rows, cols);
    }

    @Test
    void rejectsMismatchedShapes() {
        Random rnd = new Random(3);
        WeightMatrix a = TestWeights.random(rnd, DType.BF16, 4, 32, 2), b = TestWeights.random(rnd, DType.BF16, 4, 64, 2);
        assertThrows(IllegalArgumentException.class, () -> new MatMulGroup(a, b));
        MatMulGroup g = new MatMulGroup(a, a);
        assertThrows(IllegalArgumentException.class, () -> g.matmul(new float[32], 0, new float[][] {new float[4]}, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> g.matmul(new float[32], 0, new float[][] {new float[4], new float[3]}, 1));
    }

    private static void check(Random rnd, WeightMatrix[] ws, int n) {
        int cols = ws[0].cols();
        int xOff = rnd.nextInt(4);
        float[] x = TestWeights.randomArray(rnd, xOff + n * cols, 2f);
        float[] xCopy = x.clone();
        float[][] outs = new float[ws.length][];
        for (int i = 0; i < ws.length; i++) {
            outs[i] = new float[n * ws[i].rows() + 3];
            Arrays.fill(outs[i], Float.NaN);
        }
        new MatMulGroup(ws).matmul(x, xOff, outs, n);
        if (!Arrays.equals(x, xCopy)) fail("kernel modified its input");
        double gamma = (cols + 1) * U / (1 - (cols + 1) * U);
        for (int i = 0; i < ws.length; i++) {
            WeightMatrix w = ws[i];
            float[] scalar = new float[n * w.rows()];
            MatMul.matmulScalar(w, x, xOff, scalar, 0, n);
            for (int b = 0; b < n; b++) {
                for (int r = 0; r < w.rows(); r++) {
                    double s = 0, m = 0;
                    for (int c = 0; c < cols; c++) {
                        double p = (double) w.get(r, c) * x[xOff + b * cols + c];
                        s += p;
                        m += Math.abs(p);
                    }
                    double tol = gamma * m + cols * (double) Float.MIN_VALUE;
                    float got = outs[i][b * w.rows() + r];
                    String where = w + " n=" + n + " threads=" + Parallel.threads() + " out[" + b + ", " + r + "]";
                    if (!(Math.abs(got - s) <= tol)) fail(where + " = " + got + ", reference " + s);
                    if (!(Math.abs(got - scalar[b * w.rows() + r]) <= 2 * tol)) fail(where + " = " + got + ", scalar " + scalar[b * w.rows() + r]);
                }
            }
            for (int j = n * w.rows(); j < outs[i].length; j++) {
                if (!Float.isNaN(outs[i][j])) fail(w + ": wrote past the output at " + j);
            }
        }
    }

    private static float[] eightBit(float[] x, int xOff, int n, int cols) {
        float[] y = x.clone();
        dev.qwen4j.tensor.quant.Q8Lanes q = new dev.qwen4j.tensor.quant.Q8Lanes();
        for (int b = 0; b < n; b++) {
            q.quantize(x, xOff + b * cols, cols);
            for (int c = 0; c < cols; c++) y[xOff + b * cols + c] = q.value(c);
        }
        return y;
    }
}
