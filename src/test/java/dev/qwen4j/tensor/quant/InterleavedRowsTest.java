package dev.qwen4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.WeightMatrix;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The interleaved decode layout: packing, 8-bit activations, and the vector kernels against their scalar twin. */
class InterleavedRowsTest {
    @Test
    void activationsRoundTripWithinHalfAStep() {
        Random rnd = new Random(3);
        for (int cols : new int[] {32, 96, 512, 1024, 1280, 2560, 3072}) {
            float[] x = QuantKernelsTest.randomVector(rnd, cols + 3);
            x[3] = 0f;
            for (int c = 64; c < Math.min(cols, 96); c++) x[3 + c] = 0f; // an all-zero block
            Q8Lanes q = new Q8Lanes();
            q.quantize(x, 3, cols);
            assertThat(q.cols()).isEqualTo(cols);
            for (int c = 0; c < cols; c++) {
                float d = q.d[q.slot(c / 32)];
                assertThat(q.value(c)).as("cols=%d c=%d", cols, c).isCloseTo(x[3 + c], within(d / 2 + 1e-7f));
            }
        }
        assertThatThrownBy(() -> new Q8Lanes().quantize(new float[40], 0, 40)).hasMessageContaining("40 columns");
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K", "Q6_K", "Q5_0", "Q5_K", "Q3_K"})
    void kernelsMatchTheDequantizedProduct(DType t) {
        Assumptions.assumeTrue(InterleavedRows.supports(t), "no 16-bit lanes of 256 bits here");
        Random rnd = new Random(t.ordinal() + 11);
        // 768 leaves the last group partly empty; 256, 512, 1280 and 2560 end in at most half a group, which row
        // pairs share (9 rows: the last pair has one row; the vector kernel starts at the odd row 1); 256 is one super-block
        for (int cols : new int[] {256, 512, 768, 1024, 1280, 2560, 3072}) {
            WeightMatrix w = QuantKernelsTest.randomMatrix(rnd, t, 9, cols);
            InterleavedRows p = InterleavedRows.pack(w);
            float[] x = QuantKernelsTest.randomVector(rnd, cols);
            Q8Lanes q = new Q8Lanes();
            q.quantize(x, 0, cols);
            float[] scalar = new float[w.rows() + 2], vector = new float[w.rows() + 2], deq = new float[cols];
            p.matvecScalar(q, 0, w.rows(), scalar, 2);
            p.matvec(q, 1, w.rows(), vector, 2);
            for (int r = 0; r < w.rows(); r++) {
                w.rowInto(r, deq, 0);
                double ref = 0, mag = 0;
                for (int c = 0; c < cols; c++) {
                    ref += (double) deq[c] * q.value(c);
                    mag += Math.abs((double) deq[c] * q.value(c));
                }
                assertThat((double) scalar[2 + r]).as("%s cols=%d scalar r=%d", t, cols, r).isCloseTo(ref, within(1e-5 * mag + 1e-6));
                if (r >= 1) {
                    assertThat((double) vector[2 + r]).as("%s cols=%d vector r=%d", t, cols, r).isCloseTo(ref, within(1e-5 * mag + 1e-6));
                }
            }
            assertThat(vector[2]).as("row 0 is outside [from, to)").isZero();
            // two vectors at once: each as alone (the same integer sums and scaling order; to rounding only because
            // the JIT tiers reduce vector lanes in different orders: a CI run saw 4.8e-6 on a value of 2.14)
            float[] y = QuantKernelsTest.randomVector(rnd, cols);
            Q8Lanes qy = new Q8Lanes();
            qy.quantize(y, 0, cols);
            float[] yAlone = new float[w.rows() + 3], x2 = new float[w.rows() + 2], y2 = new float[w.rows() + 3];
            p.matvec(qy, 1, w.rows(), yAlone, 3);
            p.matvec2(q, qy, 1, w.rows(), x2, 2, y2, 3);
            for (int i = 0; i < x2.length; i++) {
                assertThat(x2[i]).as("%s cols=%d two vectors: x[%d]", t, cols, i).isCloseTo(vector[i], within(1e-5f * Math.abs(vector[i]) + 1e-5f));
                assertThat(y2[i + 1]).as("%s cols=%d two vectors: y[%d]", t, cols, i + 1).isCloseTo(yAlone[i + 1], within(1e-5f * Math.abs(yAlone[i + 1]) + 1e-5f));
            }
            assertThat(x2[0] + x2[1] + x2[2] + y2[0] + y2[1] + y2[2] + y2[3]).as("outside the range").isZero();
            // a range inside the matrix (a worker's chunk) writes its rows only, each as in the whole product (to
            // rounding: a pair cut by the range's end takes its shared tail in a pass of its own)
            float[] part = new float[w.rows() + 2];
            p.matvec(q, 2, 7, part, 2);
            for (int r = 0; r < w.rows(); r++) {
                if (r >= 2 && r < 7) assertThat(part[2 + r]).as("%s cols=%d chunk r=%d", t, cols, r).isCloseTo(vector[2 + r], within(1e-5f * Math.abs(vector[2 + r]) + 1e-5f));
                else assertThat(part[2 + r]).as("%s cols=%d outside the chunk r=%d", t, cols, r).isZero();
            }
        }
    }

    /**
     * Rows wider than {@link InterleavedMatrix#SLICE_COLS} are cut into column slices whose results add up: the
     * product equals the dequantized one for every format, shape and row range, slice by slice as whole, and a
     * slice boundary is refused where it would split a block.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K", "Q6_K", "Q5_0", "Q5_K", "Q3_K"})
    void columnSlicesAddUpToTheWholeProduct(DType t) {
        Assumptions.assumeTrue(InterleavedRows.supports(t), "no 16-bit lanes of 256 bits here");
        Random rnd = new Random(t.ordinal() + 31);
        // 9728: Qwen3-4B's down projection (4096 + 4096 + 1536, the last slice ending in a shared half group);
        // 8192: two whole slices; 4352: a one-super-block last slice; 4096: no cut
        for (int cols : new int[] {9728, 8192, 4352, 4096}) {
            WeightMatrix w = QuantKernelsTest.randomMatrix(rnd, t, 7, cols);
            InterleavedMatrix p = InterleavedMatrix.pack(w);
            assertThat(p.slices()).as("cols=%d", cols).isEqualTo((cols + 4095) / 4096).isEqualTo(InterleavedMatrix.sliceCount(cols));
            assertThat(p.sliceStart(p.slices())).isEqualTo(cols);
            float[] x = QuantKernelsTest.randomVector(rnd, cols + 5);
            Q8Lanes[] x8 = new Q8Lanes[p.slices() + 1];
            for (int i = 0; i < x8.length; i++) x8[i] = new Q8Lanes();
            p.quantize(x, 5, x8, 1);
            Q8Lanes whole = new Q8Lanes();
            whole.quantize(x, 5, cols);
            float[] scalar = new float[w.rows() + 1], vector = new float[w.rows() + 1], part = new float[w.rows() + 1];
            float[] deq = new float[cols];
            p.matvecScalar(x8, 1, 0, w.rows(), scalar, 1);
            p.matvec(x8, 1, 0, w.rows(), vector, 1, new float[2]); // too small a partial buffer: one is made
            p.matvec(x8, 1, 3, 6, part, 1, null);
            // two vectors, slice by slice (the second vector's activations after the first's), as each alone
            float[] y = QuantKernelsTest.randomVector(rnd, cols);
            Q8Lanes[] xy8 = new Q8Lanes[2 * p.slices()];
            for (int i = 0; i < xy8.length; i++) xy8[i] = new Q8Lanes();
            p.quantize(x, 5, xy8, 0);
            p.quantize(y, 0, xy8, p.slices());
            float[] yAlone = new float[w.rows() + 1], x2 = new float[w.rows() + 1], y2 = new float[w.rows() + 2];
            p.matvec(xy8, p.slices(), 2, 7, yAlone, 1, null);
            for (int i = 0; i < p.slices(); i++) p.matvecSlice2(i, xy8, 0, p.slices(), 2, 7, x2, 1, y2, 2, i == 1 ? null : new float[10]);
            for (int r = 0; r < w.rows(); r++) {
                if (r >= 2 && r < 7) {
                    assertThat(x2[1 + r]).as("%s cols=%d two vectors x r=%d", t, cols, r).isCloseTo(vector[1 + r], within(1e-5f * Math.abs(vector[1 + r]) + 1e-5f));
                    assertThat(y2[2 + r]).as("%s cols=%d two vectors y r=%d", t, cols, r).isCloseTo(yAlone[1 + r], within(1e-5f * Math.abs(yAlone[1 + r]) + 1e-5f));
                } else {
                    assertThat(x2[1 + r]).isZero();
                    assertThat(y2[2 + r]).isZero();
                }
            }
            for (int r = 0; r < w.rows(); r++) {
                w.rowInto(r, deq, 0);
                double ref = 0, mag = 0;
                for (int c = 0; c < cols; c++) {
                    ref += (double) deq[c] * whole.value(c); // slicing does not change the activations' rounding
                    mag += Math.abs((double) deq[c] * whole.value(c));
                }
                double tol = 1e-5 * mag + 1e-6;
                assertThat((double) scalar[1 + r]).as("%s cols=%d scalar r=%d", t, cols, r).isCloseTo(ref, within(tol));
                assertThat((double) vector[1 + r]).as("%s cols=%d vector r=%d", t, cols, r).isCloseTo(ref, within(tol));
                if (r >= 3 && r < 6) assertThat((double) part[1 + r]).as("%s cols=%d range r=%d", t, cols, r).isCloseTo(ref, within(tol));
                else assertThat(part[1 + r]).as("%s cols=%d outside the range r=%d", t, cols, r).isZero();
            }
            assertThat(p.byteSize()).isPositive();
        }
        WeightMatrix w = QuantKernelsTest.randomMatrix(rnd, t, 2, 1024);
        assertThatThrownBy(() -> InterleavedRows.pack(w, 0, 100)).hasMessageContaining("not whole");
    }

    @Test
    void activationsOfAnotherWidthAreRefused() {
        Assumptions.assumeTrue(InterleavedRows.supports(DType.Q4_0));
        InterleavedRows p = InterleavedRows.pack(QuantKernelsTest.randomMatrix(new Random(1), DType.Q4_0, 2, 256));
        Q8Lanes q = new Q8Lanes();
        q.quantize(new float[512], 0, 512);
        assertThatThrownBy(() -> p.matvec(q, 0, 2, new float[2], 0)).hasMessageContaining("512 activations for 256 columns");
    }

    @Test
    void copiesAreMadeOnceOnFirstUseAndCanBeTurnedOff() {
        Assumptions.assumeTrue(InterleavedRows.supports(DType.Q4_K));
        Random rnd = new Random(5);
        WeightMatrix w = QuantKernelsTest.randomMatrix(rnd, DType.Q4_K, 40, 512);
        assertThat(w.decodeBytes()).isEqualTo(w.data().byteSize());
        InterleavedMatrix p = w.interleaved();
        assertThat(p).isNotNull().isSameAs(w.interleaved());
        // 4.75 bits a weight: 16 bytes of codes, 2 of integer scales and mins, 1 of super-block scales per lane;
        // with 32 lanes a 512-value row is half a group, and row pairs share one
        long groupsStored = Q8Lanes.sharedTail(512) ? 20L * (2 * Q8Lanes.fullGroups(512) + 1) : 40L * Q8Lanes.groups(512);
        assertThat(w.decodeBytes()).isEqualTo(groupsStored * Q8Lanes.LANES * 19);
        if (Q8Lanes.LANES == 32) assertThat(w.decodeBytes()).isEqualTo(40L * 512 / 32 * 19); // no padding at all
        assertThat(QuantKernelsTest.randomMatrix(rnd, DType.Q8_0, 4, 64).interleaved()).isNull();

        WeightMatrix off = QuantKernelsTest.randomMatrix(rnd, DType.Q4_0, 40, 512);
        float[] x = QuantKernelsTest.randomVector(rnd, 512), out = new float[40], ref = new float[40];
        InterleavedRows.setEnabled(false);
        try {
            assertThat(off.interleaved()).isNull();
            off.matvec(x, out); // the f32-activation kernels: equal to the scalar loop up to rounding
            QuantMatMul.matmulScalar(off, x, 0, ref, 0, 1);
            for (int r = 0; r < 40; r++) assertThat(out[r]).isCloseTo(ref[r], within(1e-4f * (1 + Math.abs(ref[r]))));
        } finally {
            InterleavedRows.setEnabled(true);
        }
        assertThat(off.interleaved()).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q4_0", "Q4_K", "Q6_K"})
    void packingStraightFromTheBytesEqualsPackingThroughDecodedCodes(DType t) {
        Assumptions.assumeTrue(InterleavedRows.supports(t));
        Random rnd = new Random(t.ordinal() + 29);
        // widths with a partial last group and with shared tails (row pairs; 7 rows leave the last pair one row short),
        // and a column slice starting past the first block
        for (int cols : new int[] {256, 768, 1024, 2560, 3072}) {
            WeightMatrix w = QuantKernelsTest.randomMatrix(rnd, t, 7, cols);
            for (int[] range : new int[][] {{0, cols}, {256, cols}}) {
                if (range[0] >= range[1]) continue;
                InterleavedRows fast = InterleavedRows.pack(w, range[0], range[1]), reference;
                InterleavedRows.fastPacking = false;
                try {
                    reference = InterleavedRows.pack(w, range[0], range[1]);
                } finally {
                    InterleavedRows.fastPacking = true;
                }
                long mismatch = fast.data().mismatch(reference.data());
                assertThat(mismatch).as("%s cols=%d columns %d..%d: first differing byte", t, cols, range[0], range[1]).isEqualTo(-1L);
            }
        }
    }
}
