package dev.qwen4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The vector kernels against their scalar twins and against dequantize-then-dot, on random data. */
class QuantKernelsTest {
    static WeightMatrix randomMatrix(Random rnd, DType t, int rows, int cols) {
        float[] row = new float[cols];
        MemorySegment data = Arena.ofAuto().allocate(rows * t.byteSize(cols) + 3, 64).asSlice(3, rows * t.byteSize(cols));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) row[c] = (float) (rnd.nextGaussian() * (r % 3 == 0 ? 0.02 : 1.0)) + (c % 7 == 0 ? 0.1f : 0f);
            QuantRows.quantize(t, row, 0, cols, data, r * t.byteSize(cols));
        }
        return new WeightMatrix("w", data, t, rows, cols);
    }

    /** x with each of its n vectors of cols values (from xOff) replaced by its {@link Q8Lanes} rounding. */
    static float[] eightBit(float[] x, int xOff, int n, int cols) {
        float[] y = x.clone();
        Q8Lanes q = new Q8Lanes();
        for (int b = 0; b < n; b++) {
            q.quantize(x, xOff + b * cols, cols);
            for (int c = 0; c < cols; c++) y[xOff + b * cols + c] = q.value(c);
        }
        return y;
    }

    static float[] randomVector(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void dotMatchesScalarTwinAndDequantizedDot(DType t) {
        Random rnd = new Random(t.ordinal());
        for (int cols : new int[] {256, 512, 1280}) {
            WeightMatrix w = randomMatrix(rnd, t, 7, cols);
            float[] x = randomVector(rnd, cols + 5);
            float[] deq = new float[cols];
            for (int r = 0; r < w.rows(); r++) {
                long off = r * w.rowBytes();
                w.rowInto(r, deq, 0);
                double ref = 0, mag = 0;
                for (int c = 0; c < cols; c++) {
                    ref += (double) deq[c] * x[5 + c];
                    mag += Math.abs((double) deq[c] * x[5 + c]);
                }
                double tol = 1e-5 * mag + 1e-6;
                assertThat((double) QuantRows.dot(t, w.data(), off, cols, x, 5)).as("%s vector r=%d", t, r).isCloseTo(ref, within(tol));
                assertThat((double) QuantRows.dotScalar(t, w.data(), off, cols, x, 5)).as("%s scalar r=%d", t, r).isCloseTo(ref, within(tol));
                for (int c = 0; c < cols; c += 37) assertThat(w.get(r, c)).as("%s get(%d,%d)", t, r, c).isEqualTo(deq[c]);
            }
        }
    }

    /** The row-range decode kernels (16-lane machines) against the scalar dot, on row ranges, offsets and odd block counts. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void rowKernelsMatchScalarTwin(DType t) {
        org.junit.jupiter.api.Assumptions.assumeTrue(RowKernels.supports(t), "no row kernel on this vector width");
        Random rnd = new Random(200 + t.ordinal());
        // 32-value formats also with odd block counts (the two-block loop's tail); Q8_0 also wider than
        // Q8_0.FOUR_ROWS_ABOVE_COLS (four rows at a time; the range 4..19 leaves three rows for one at a time)
        int[] widths = t.blockSize() == 32 ? new int[] {32, 96, 288, 1024, Q8_0.FOUR_ROWS_ABOVE_COLS + 32} : new int[] {256, 768, 1280};
        for (int cols : widths) {
            WeightMatrix w = randomMatrix(rnd, t, 21, cols);
            int xo = 7, oo = 3, so = 2;
            float[] x = randomVector(rnd, xo + cols);
            int group = RowKernels.sumGroup(t);
            float[] sums = new float[so + cols / group];
            RowKernels.sums(x, xo, cols, group, sums, so);
            for (int g = 0; g < cols / group; g++) {
                float e = 0;
                for (int i = 0; i < group; i++) e += x[xo + group * g + i];
                assertThat(sums[so + g]).isCloseTo(e, within(1e-4f * (1 + Math.abs(e))));
            }
            float[] out = new float[oo + w.rows() + 2];
            float[] scratch = new float[16];
            RowKernels.matvec(t, w.data(), w.rowBytes(), cols, 4, 19, x, xo, sums, so, out, oo, scratch);
            for (int r = 0; r < w.rows(); r++) {
                if (r < 4 || r >= 19) {
                    assertThat(out[oo + r]).as("%s row %d outside the range is untouched", t, r).isZero();
                    continue;
                }
                float[] deq = new float[cols];
                w.rowInto(r, deq, 0);
                double mag = 0;
                for (int c = 0; c < cols; c++) mag += Math.abs((double) deq[c] * x[xo + c]);
                double ref = QuantRows.dotScalar(t, w.data(), r * w.rowBytes(), cols, x, xo);
                assertThat((double) out[oo + r]).as("%s cols=%d row %d", t, cols, r).isCloseTo(ref, within(2e-5 * mag + 1e-5));
            }
        }
    }

    @org.junit.jupiter.api.Test
    void q8_0TwoVectorKernelMatchesTheOneVectorKernel() {
        org.junit.jupiter.api.Assumptions.assumeTrue(RowKernels.supports(DType.Q8_0), "no row kernel on this vector width");
        Random rnd = new Random(77);
        // odd block counts (32, 96, 288) end in the separately summed last block; one left out is off by a whole block
        for (int cols : new int[] {32, 96, 288, 1024, 2048}) {
            WeightMatrix w = randomMatrix(rnd, DType.Q8_0, 9, cols);
            int xo = 5, yo = xo + cols + 3;
            float[] x = randomVector(rnd, yo + cols);
            float[] one = new float[2 * w.rows() + 4], two = new float[2 * w.rows() + 4];
            Q8_0.matvec16(w.data(), w.rowBytes(), cols, 1, 8, x, xo, one, 2);
            Q8_0.matvec16(w.data(), w.rowBytes(), cols, 1, 8, x, yo, one, 2 + w.rows());
            Q8_0.matvec16Two(w.data(), w.rowBytes(), cols, 1, 8, x, xo, yo, two, 2, 2 + w.rows());
            // the same products in the same order, but a lane reduction's order is left to the compiler (the
            // Java fallback and C2 differ), so equal to rounding rather than bit for bit
            for (int i = 0; i < one.length; i++) {
                assertThat(two[i]).as("cols=%d out[%d]", cols, i).isCloseTo(one[i], within(1e-5f * (1 + Math.abs(one[i]))));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void vectorDequantizeIsBitIdenticalToScalar(DType t) {
        Random rnd = new Random(50 + t.ordinal());
        WeightMatrix w = randomMatrix(rnd, t, 5, 768);
        float[] a = new float[3 + 768], b = new float[3 + 768];
        for (int r = 0; r < w.rows(); r++) {
            QuantRows.dequantize(t, w.data(), r * w.rowBytes(), a, 3, 768);
            QuantRows.dequantizeVector(t, w.data(), r * w.rowBytes(), b, 3, 768);
            assertThat(b).as("%s row %d", t, r).containsExactly(a);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void matmulPathsAgree(DType t) {
        Random rnd = new Random(100 + t.ordinal());
        int rows = 37, cols = 512;
        WeightMatrix w = randomMatrix(rnd, t, rows, cols);
        // both sides of the row kernels → tiles switches (4, 6, 16) and of the tiled → packed switch at 32
        for (int n : new int[] {1, 2, 3, 4, 5, 6, 8, 11, 15, 16, 17, 31, 32, 33}) {
            int xOff = 3, outOff = 2;
            float[] x = randomVector(rnd, xOff + n * cols);
            float[] ref = new float[outOff + n * rows], a = new float[ref.length], b = new float[ref.length], c = new float[ref.length];
            float[] d = new float[ref.length];
            if (RowKernels.supports(t)) QuantMatMul.rowKernels(w, x, xOff, d, outOff, n);
            QuantMatMul.matmulScalar(w, x, xOff, ref, outOff, n);
            // through the row kernels, interleaved formats multiply x rounded to 8 bits per 32 values
            boolean interleaved = w.interleaved() != null;
            float[] ref8 = ref;
            if (interleaved) {
                ref8 = new float[ref.length];
                QuantMatMul.matmulScalar(w, eightBit(x, xOff, n, cols), xOff, ref8, outOff, n);
            }
            float[] refDispatched = QuantMatMul.usesRowKernels(w, n) ? ref8 : ref;
            QuantMatMul.matmulStreamed(w, x, xOff, a, outOff, n);
            QuantMatMul.matmulTiled(w, x, xOff, b, outOff, n);
            w.matmul(x, xOff, c, outOff, n);
            for (int i = outOff; i < ref.length; i++) {
                double tol = 1e-4 * (1 + Math.abs(ref[i]));
                assertThat((double) a[i]).as("%s streamed n=%d i=%d", t, n, i).isCloseTo(ref[i], within(tol));
                assertThat((double) b[i]).as("%s tiled n=%d i=%d", t, n, i).isCloseTo(ref[i], within(tol));
                assertThat((double) c[i]).as("%s dispatched n=%d i=%d", t, n, i).isCloseTo(refDispatched[i], within(1e-4 * (1 + Math.abs(refDispatched[i]))));
                if (RowKernels.supports(t)) {
                    assertThat((double) d[i]).as("%s row kernels n=%d i=%d", t, n, i).isCloseTo(ref8[i], within(1e-4 * (1 + Math.abs(ref8[i]))));
                }
            }
            assertThat(a[0]).isZero();
            assertThat(b[1]).isZero();
        }
    }

    /**
     * Decode through the interleaved copies of a matrix wider than one column slice: one or two vectors take each
     * thread's whole row range in one call per slice (the slices' sums added through the scratch buffer), more
     * vectors 32 rows at a time; all against the scalar product of the 8-bit-rounded activations.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q3_K", "Q4_0", "Q4_K", "Q5_0", "Q5_K", "Q6_K"})
    void interleavedDecodeOverColumnSlicesMatchesScalar(DType t) {
        org.junit.jupiter.api.Assumptions.assumeTrue(InterleavedRows.enabled() && InterleavedRows.supports(t), "no interleaved copies here");
        Random rnd = new Random(300 + t.ordinal());
        // enough rows that a thread's ranges exceed 32 rows (the 2-thread split's first chunks hold about a quarter)
        int rows = 300, cols = InterleavedMatrix.SLICE_COLS + 512;
        WeightMatrix w = randomMatrix(rnd, t, rows, cols);
        assertThat(w.interleaved()).isNotNull();
        assertThat(w.interleaved().slices()).isEqualTo(2);
        for (int n : new int[] {1, 2, 3}) {
            int xOff = 5, outOff = 4;
            float[] x = randomVector(rnd, xOff + n * cols);
            float[] ref = new float[outOff + n * rows], got = new float[ref.length];
            QuantMatMul.matmulScalar(w, eightBit(x, xOff, n, cols), xOff, ref, outOff, n);
            QuantMatMul.rowKernels(w, x, xOff, got, outOff, n);
            for (int i = outOff; i < ref.length; i++) {
                assertThat((double) got[i]).as("%s n=%d i=%d", t, n, i).isCloseTo(ref[i], within(1e-4 * (1 + Math.abs(ref[i]))));
            }
        }
    }

    /**
     * dequantize(quantize(x)) on Gaussian data: relative RMS error bounds per format, and the per-value bound
     * of the 32-value formats (half a level, plus the f16 rounding of the scale; a full level for Q4_0's
     * clamped top level).
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void roundTripErrorIsBounded(DType t) {
        Random rnd = new Random(7);
        int n = 256 * 64;
        float[] x = randomVector(rnd, n);
        MemorySegment q = Arena.ofAuto().allocate(t.byteSize(n));
        QuantRows.quantize(t, x, 0, n, q, 0);
        float[] y = new float[n];
        QuantRows.dequantize(t, q, 0, y, 0, n);
        double err = 0, sig = 0;
        for (int i = 0; i < n; i++) {
            err += (x[i] - y[i]) * (double) (x[i] - y[i]);
            sig += x[i] * (double) x[i];
        }
        double rel = Math.sqrt(err / sig);
        // measured on this data: Q8_0 0.0053, Q6_K 0.018, Q5_K 0.036, Q5_1 0.038, Q5_0 0.042, Q4_K 0.071, Q4_1 0.078,
        // Q4_0 0.086, Q3_K 0.15, Q2_K 0.30
        double bound = switch (t) {
            case Q8_0 -> 0.006;
            case Q4_0 -> 0.12;
            case Q5_0 -> 0.06;
            case Q4_K -> 0.10;
            case Q5_K -> 0.05;
            case Q4_1 -> 0.10;
            case Q5_1 -> 0.05;
            case Q3_K -> 0.18;
            case Q2_K -> 0.35;
            case Q6_K -> 0.025;
            case IQ4_NL -> 0.09;
            case IQ4_XS -> 0.09;
            default -> throw new AssertionError();
        };
        assertThat(rel).as("%s relative RMS error", t).isLessThan(bound);
        if (t == DType.Q8_0 || t == DType.Q4_0 || t == DType.Q5_0) {
            for (int b = 0; b < n / 32; b++) {
                float d = Math.abs(Blocks.f16(q, (long) b * t.blockBytes()));
                // the levels come from the f32 scale but are dequantized with its f16 rounding (relative error ≤ 2^-11,
                // times up to 127 levels), hence a bit more than half a level
                float levels = switch (t) {
                    case Q8_0 -> 0.5f + 127f / 2048;
                    case Q4_0 -> 1f + 16f / 2048;
                    default -> 1f + 32f / 2048;
                };
                for (int i = 32 * b; i < 32 * b + 32; i++) {
                    assertThat(Math.abs(x[i] - y[i])).as("%s value %d", t, i).isLessThanOrEqualTo(levels * d + 1e-6f);
                }
            }
        }
    }
}
