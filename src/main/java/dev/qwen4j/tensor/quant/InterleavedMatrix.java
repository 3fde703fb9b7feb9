package dev.qwen4j.tensor.quant;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.WeightMatrix;

/**
 * The decode copy of a whole matrix: its columns cut into slices of at most {@link #SLICE_COLS}, each an
 * {@link InterleavedRows} of its own, multiplied with the matching slice of the activations. A product sums
 * the slices' row results.
 *
 * <p>Why slices: the kernels read 2 bytes of activations per value (8-bit codes held in 16-bit lanes) against
 * 0.6–1.1 of weights, so the activations must stay in the L1 cache while the weights stream past. Up to 4096
 * values (8 KB) they do; rows of 8192 and more ran at 0.55× the speed per weight (Q4_K, 2560 rows, 2 threads,
 * from DRAM: 25 against 45 Gweights/s at 4096 columns), which hit every down projection from Qwen3-4B up
 * (9728 columns). Each slice's rows are still contiguous, so a thread streams its row range of one slice, then
 * of the next.
 */
public final class InterleavedMatrix {
    /** The widest slice: its 16-bit activation codes (8 KB) stay in L1 beside the weight stream. */
    public static final int SLICE_COLS = 4096;

    private final InterleavedRows[] slices;
    private final int[] starts;
    private final int rows, cols;

    private InterleavedMatrix(InterleavedRows[] slices, int[] starts, int rows, int cols) {
        this.slices = slices;
        this.starts = starts;
        this.rows = rows;
        this.cols = cols;
    }

    /** The decode copy of w, whose dtype {@link InterleavedRows#supports}; slices are packed in parallel, one after another. */
    public static InterleavedMatrix pack(WeightMatrix w) {
        int n = sliceCount(w.cols());
        InterleavedRows[] slices = new InterleavedRows[n];
        int[] starts = new int[n + 1];
        for (int i = 0; i < n; i++) {
            starts[i + 1] = Math.min(w.cols(), (i + 1) * SLICE_COLS);
            slices[i] = InterleavedRows.pack(w, starts[i], starts[i + 1]);
        }
        return new InterleavedMatrix(slices, starts, w.rows(), w.cols());
    }

    /** Slices of a row of cols values (SLICE_COLS is a multiple of every block size, so cuts fall between blocks). */
    public static int sliceCount(int cols) {
        return Math.max(1, (cols + SLICE_COLS - 1) / SLICE_COLS);
    }

    /** First column of slice i (i = {@link #slices()}: the row's end). */
    public int sliceStart(int i) {
        return starts[i];
    }

    public int slices() {
        return slices.length;
    }

    public InterleavedRows slice(int i) {
        return slices[i];
    }

    public DType type() {
        return slices[0].type();
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Native bytes of all slices: what a decode step reads. */
    public long byteSize() {
        long b = 0;
        for (InterleavedRows s : slices) b += s.data().byteSize();
        return b;
    }

    /**
     * Quantizes x[xo, xo + cols) into x8[first …], one {@link Q8Lanes} per slice (the same rounding as one
     * vector of cols values: blocks of 32 never straddle a cut).
     */
    public void quantize(float[] x, int xo, Q8Lanes[] x8, int first) {
        for (int i = 0; i < slices.length; i++) x8[first + i].quantize(x, xo + starts[i], starts[i + 1] - starts[i]);
    }

    /**
     * out[oo + r] = Σ_c W[r, c]·x_c for rows [from, to), x8[first + i] the activations of slice i
     * ({@link #quantize}); partial (at least to − from floats, or null to allocate) holds one slice's results
     * while they are added.
     */
    public void matvec(Q8Lanes[] x8, int first, int from, int to, float[] out, int oo, float[] partial) {
        for (int i = 0; i < slices.length; i++) matvecSlice(i, x8, first, from, to, out, oo, partial);
    }

    /**
     * Slice i's share of {@link #matvec}: slice 0 stores its row results, the others add theirs. A caller that
     * walks many rows runs each slice over all of them before the next, so each slice streams in one run.
     */
    public void matvecSlice(int i, Q8Lanes[] x8, int first, int from, int to, float[] out, int oo, float[] partial) {
        if (i == 0) {
            slices[0].matvec(x8[first], from, to, out, oo);
            return;
        }
        if (partial == null || partial.length < to - from) partial = new float[to - from];
        slices[i].matvec(x8[first + i], from, to, partial, -from);
        for (int r = from; r < to; r++) out[oo + r] += partial[r - from];
    }

    /**
     * {@link #matvecSlice} for two activation vectors (x8[firstX + i] and x8[firstY + i]) into outX and outY;
     * partial holds at least 2·(to − from) floats, or is null.
     */
    public void matvecSlice2(int i, Q8Lanes[] x8, int firstX, int firstY, int from, int to, float[] outX, int ox,
                             float[] outY, int oy, float[] partial) {
        if (i == 0) {
            slices[0].matvec2(x8[firstX], x8[firstY], from, to, outX, ox, outY, oy);
            return;
        }
        int n = to - from;
        if (partial == null || partial.length < 2 * n) partial = new float[2 * n];
        slices[i].matvec2(x8[firstX + i], x8[firstY + i], from, to, partial, -from, partial, n - from);
        for (int r = from; r < to; r++) {
            outX[ox + r] += partial[r - from];
            outY[oy + r] += partial[n + r - from];
        }
    }

    /** Scalar twin of {@link #matvec}. */
    public void matvecScalar(Q8Lanes[] x8, int first, int from, int to, float[] out, int oo) {
        float[] partial = new float[to - from];
        slices[0].matvecScalar(x8[first], from, to, out, oo);
        for (int i = 1; i < slices.length; i++) {
            slices[i].matvecScalar(x8[first + i], from, to, partial, -from);
            for (int r = from; r < to; r++) out[oo + r] += partial[r - from];
        }
    }
}
