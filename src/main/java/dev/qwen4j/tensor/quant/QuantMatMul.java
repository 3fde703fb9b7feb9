package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.F;
import static dev.qwen4j.tensor.quant.Blocks.L;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * out[outOff + b·rows + r] = Σ_c W[r, c]·x[xOff + b·cols + c] for a block-quantized W, with f32 activations.
 *
 * <p>Few vectors (decode): each row is decoded and dotted in one pass ({@link QuantRows#dot}), so the
 * weights stream from memory once and are never written out. Many vectors (prefill): a tile of
 * {@link #TILE} rows is dequantized once into f32 scratch, then multiplied with the activations two at
 * a time, so the decode cost is shared by all n vectors and the tile stays in L1/L2.
 *
 * <p>Activations stay f32 rather than being quantized to Q8 as llama.cpp does: the Vector API offers no
 * int8 dot-product instruction (VNNI/VPDPBUSD), so integer products would need two widenings per lane and
 * are no cheaper than widening the weights to f32 and using FMA.
 */
public final class QuantMatMul {
    private QuantMatMul() {}

    /**
     * Below this many activation vectors, matrices with an {@link InterleavedRows} copy take the row kernels
     * once per vector rather than the dequantized tiles (also with the f32 activations the tiles keep). Measured
     * (2560 × 2048, 2 threads, from DRAM, tiles ÷ row kernels): Q4_K 2.0 at 4 vectors, 1.47 at 8, 1.21 at 16;
     * Q4_0 1.75 / 1.41 / 1.23; Q6_K 1.82 / 1.29 / 1.01; Q5_K 1.01 at 12, 0.94 at 16.
     */
    static final int INTERLEAVED_TILE_MIN_N = 16;
    /**
     * The same for Q8_0 and IQ4_XS (f32 activations, two vectors per pass: {@link Q8_0#matvec16Two},
     * {@link IQ4_XS#matvec16Two}): their 4-row tiles, 16 KB of f32 for 1024-wide rows, stay in L1 and win from about
     * 6 vectors (tiles ÷ row kernels, 2 threads: Q8_0 3072 × 1024 0.91 at 6, 0.82 at 8; 1024 × 3072 1.00 at 6, 0.93 at
     * 8; IQ4_XS 0.96–1.10 at 6 on three shapes), though on 2048-wide rows Q8_0's led up to 16 (2560 × 2048: 1.14).
     */
    static final int TWO_VECTOR_TILE_MIN_N = 6;
    /** The same for the other row kernels (IQ4_NL): one vector per pass, IQ4_XS measured 1.07 at 3 vectors, 0.78 at 4. */
    static final int TILE_MIN_N = 4;

    /**
     * Whether a product of w with n activation vectors goes through the row kernels ({@link #rowKernels}), n
     * passes over the rows, rather than through {@link #tiled}, which dequantizes each 4-row tile once for all n.
     * The row kernels read the weights in their compact form and, for the interleaved formats, multiply in 16-bit
     * lanes: they stay ahead of the tiles' f32 dequantization for a serving engine's typical decode batches.
     */
    public static boolean usesRowKernels(WeightMatrix w, int n) {
        DType t = w.dtype();
        if (InterleavedRows.enabled() && InterleavedRows.supports(t)) return n < INTERLEAVED_TILE_MIN_N;
        if (!RowKernels.supports(t)) return false;
        return n < (t == DType.Q8_0 || t == DType.IQ4_XS ? TWO_VECTOR_TILE_MIN_N : TILE_MIN_N);
    }
    /** Rows dequantized together; four rows against two vectors keeps 8 accumulators in registers. */
    static final int TILE = 4;
    private static final int GRAIN = 16;
    /** Decode row ranges claimed per thread (see {@link Parallel#forChunks}); -Dqwen4j.decodeChunks, default 4. */
    private static final int CHUNKS_PER_THREAD = Integer.getInteger("qwen4j.decodeChunks", 4);
    /** Rows per row-kernel call. */
    private static final int KERNEL_ROWS = 32;

    private static final class Scratch {
        float[] tile = new float[0];
        /** Activation sums per 16 and per 32 values for the row kernels, filled by the calling thread. */
        final float[][] sums = {new float[0], new float[0]};
        final float[] scales = new float[16];
        /** One column slice's row results, for up to two vectors, while they are added ({@link InterleavedMatrix#matvec}). */
        private float[] partial = new float[0];
        /** 8-bit activations for the interleaved kernels, one per vector of the call. */
        Q8Lanes[] lanes = new Q8Lanes[0];

        Q8Lanes[] lanes(int n) {
            if (lanes.length < n) {
                Q8Lanes[] more = java.util.Arrays.copyOf(lanes, n);
                for (int i = lanes.length; i < n; i++) more[i] = new Q8Lanes();
                lanes = more;
            }
            return lanes;
        }

        float[] partial(int rows) {
            if (partial.length < 2 * rows) partial = new float[2 * rows];
            return partial;
        }

        float[] sums(int which, int size) {
            if (sums[which].length < size) sums[which] = new float[size];
            return sums[which];
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    public static void matmul(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        if (n <= 0) return;
        if (usesRowKernels(w, n)) {
            rowKernels(w, x, xOff, out, outOff, n);
        } else if (n >= TILE_MIN_N) {
            Parallel.forRange(w.rows(), GRAIN, (from, to) -> tiled(w, x, xOff, out, outOff, n, from, to));
        } else {
            Parallel.forRange(w.rows(), GRAIN, (from, to) -> streamed(w, x, xOff, out, outOff, n, from, to));
        }
    }

    /** Whether t has a row-range decode kernel here: {@link RowKernels} or {@link InterleavedRows}. */
    public static boolean hasRowKernel(DType t) {
        return RowKernels.supports(t) || InterleavedRows.enabled() && InterleavedRows.supports(t);
    }

    /** The row-range decode kernels ({@link RowKernels}) for any n; the activation sums are taken once per call. */
    static void rowKernels(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        rowKernels(new WeightMatrix[] {w}, x, xOff, new float[][] {out}, new int[] {outOff}, n);
    }

    /**
     * outs[i][outOffs[i] + b·rows_i + r] = Σ_c W_i[r, c]·x[xOff + b·cols + c] for matrices that share x (q/k/v,
     * gate/up), in one parallel pass over their combined rows: one fork/join instead of one per matrix, and
     * the threads split the combined bytes. Every dtype must have a row kernel ({@link #hasRowKernel}); matrices
     * with an {@link WeightMatrix#interleaved} copy multiply it with x quantized to 8 bits ({@link Q8Lanes}), once per call;
     * they may differ (Q4_K_M mixes Q4_K and Q6_K).
     */
    public static void rowKernels(WeightMatrix[] ws, float[] x, int xOff, float[][] outs, int[] outOffs, int n) {
        rowKernels(ws, x, xOff, outs, outOffs, n, true);
    }

    /** {@link #rowKernels}, with the interleaved copies ignored when interleave is false (benchmarks, tests). */
    static void rowKernels(WeightMatrix[] ws, float[] x, int xOff, float[][] outs, int[] outOffs, int n, boolean interleave) {
        int cols = ws[0].cols();
        int[] starts = new int[ws.length + 1];
        boolean by16 = false, by32 = false;
        InterleavedMatrix[] packed = new InterleavedMatrix[ws.length];
        InterleavedMatrix anyPacked = null;
        for (int i = 0; i < ws.length; i++) {
            DType t = ws[i].dtype();
            packed[i] = interleave ? ws[i].interleaved() : null;
            if (anyPacked == null) anyPacked = packed[i];
            if (packed[i] == null && !RowKernels.supports(t) || ws[i].cols() != cols) {
                throw new IllegalArgumentException("no row kernel for " + ws[i]);
            }
            starts[i + 1] = starts[i] + ws[i].rows();
            if (packed[i] == null && RowKernels.needsSums(t)) {
                by16 |= RowKernels.sumGroup(t) == 16;
                by32 |= RowKernels.sumGroup(t) == 32;
            }
        }
        Scratch s = SCRATCH.get();
        float[] sums16 = by16 ? s.sums(0, n * (cols / 16)) : null;
        float[] sums32 = by32 ? s.sums(1, n * (cols / 32)) : null;
        // one Q8Lanes per vector and column slice (matrices of equal width are sliced alike)
        int slices = InterleavedMatrix.sliceCount(cols);
        Q8Lanes[] lanes = anyPacked != null ? s.lanes(n * slices) : null;
        for (int b = 0; b < n; b++) {
            if (by16) RowKernels.sums(x, xOff + b * cols, cols, 16, sums16, b * (cols / 16));
            if (by32) RowKernels.sums(x, xOff + b * cols, cols, 32, sums32, b * (cols / 32));
            if (anyPacked != null) anyPacked.quantize(x, xOff + b * cols, lanes, b * slices);
        }
        Parallel.forChunks(starts[ws.length], GRAIN, CHUNKS_PER_THREAD * Parallel.threads(), (from, to) -> {
            Scratch own = SCRATCH.get();
            float[] scales = own.scales;
            for (int i = 0; i < ws.length; i++) {
                int lo = Math.max(from, starts[i]) - starts[i], hi = Math.min(to, starts[i + 1]) - starts[i];
                if (lo >= hi) continue;
                WeightMatrix w = ws[i];
                DType t = w.dtype();
                if (packed[i] != null) {
                    // Slice by slice, each slice's rows in one run. One or two vectors take the whole range in one
                    // call: the kernel's flat loop then streams it without a break (in 32-row calls Qwen3-4B-shaped
                    // Q4_K_M decode ran at 7.8-8.6 t/s, in whole-range calls at 9.1-10.5). More vectors take the rows
                    // 32 at a time, so a piece stays in cache for every pair of vectors.
                    int piece = n <= 2 ? hi - lo : KERNEL_ROWS;
                    float[] partial = own.partial(piece);
                    for (int sl = 0; sl < slices; sl++) {
                        for (int r = lo; r < hi; r += piece) {
                            int end = Math.min(hi, r + piece);
                            int b = 0;
                            for (; b + 2 <= n; b += 2) { // two vectors per pass where the kernel shares the unpacking
                                packed[i].matvecSlice2(sl, lanes, b * slices, (b + 1) * slices, r, end, outs[i], outOffs[i] + b * w.rows(),
                                        outs[i], outOffs[i] + (b + 1) * w.rows(), partial);
                            }
                            if (b < n) packed[i].matvecSlice(sl, lanes, b * slices, r, end, outs[i], outOffs[i] + b * w.rows(), partial);
                        }
                    }
                    continue;
                }
                long rowBytes = t.byteSize(cols);
                int group = RowKernels.sumGroup(t), rows = w.rows();
                float[] sums = group == 32 ? sums32 : sums16;
                // short calls: a kernel entered rarely and looping long runs as an on-stack-replacement
                // compilation, which C2 builds without the Vector API intrinsics (measured 10-100x slower)
                for (int r = lo; r < hi; r += KERNEL_ROWS) {
                    int end = Math.min(hi, r + KERNEL_ROWS);
                    int b = 0;
                    if (t == DType.Q8_0 && cols <= Q8_0.TWO_VECTORS_MAX_COLS) { // two vectors per pass, codes widened once
                        for (; b + 2 <= n; b += 2) {
                            Q8_0.matvec16Two(w.data(), rowBytes, cols, r, end, x, xOff + b * cols, xOff + (b + 1) * cols,
                                    outs[i], outOffs[i] + b * rows, outOffs[i] + (b + 1) * rows);
                        }
                    } else if (t == DType.IQ4_XS) { // two vectors per pass, levels looked up once
                        for (; b + 2 <= n; b += 2) {
                            IQ4_XS.matvec16Two(w.data(), rowBytes, cols, r, end, x, xOff + b * cols, xOff + (b + 1) * cols,
                                    outs[i], outOffs[i] + b * rows, outOffs[i] + (b + 1) * rows);
                        }
                    }
                    for (; b < n; b++) {
                        RowKernels.matvec(t, w.data(), rowBytes, cols, r, end, x, xOff + b * cols, sums, b * (cols / group),
                                outs[i], outOffs[i] + b * rows, scales);
                    }
                }
            }
        });
    }

    /** The row-streaming kernel for any n (tests). */
    public static void matmulStreamed(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        Parallel.forRange(w.rows(), GRAIN, (from, to) -> streamed(w, x, xOff, out, outOff, n, from, to));
    }

    /** The tiled kernel for any n (tests). */
    public static void matmulTiled(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        Parallel.forRange(w.rows(), GRAIN, (from, to) -> tiled(w, x, xOff, out, outOff, n, from, to));
    }

    /** Scalar reference: the scalar twins of the dot kernels, one row and one vector at a time. */
    public static void matmulScalar(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        DType t = w.dtype();
        int rows = w.rows(), cols = w.cols();
        long rowBytes = t.byteSize(cols);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < n; b++) {
                out[outOff + b * rows + r] = QuantRows.dotScalar(t, w.data(), r * rowBytes, cols, x, xOff + b * cols);
            }
        }
    }

    static void streamed(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n, int from, int to) {
        DType t = w.dtype();
        MemorySegment seg = w.data();
        int rows = w.rows(), cols = w.cols();
        long rowBytes = t.byteSize(cols);
        for (int r = from; r < to; r++) {
            long off = r * rowBytes;
            for (int b = 0; b < n; b++) out[outOff + b * rows + r] = QuantRows.dot(t, seg, off, cols, x, xOff + b * cols);
        }
    }

    static void tiled(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n, int from, int to) {
        DType t = w.dtype();
        MemorySegment seg = w.data();
        int rows = w.rows(), cols = w.cols();
        long rowBytes = t.byteSize(cols);
        Scratch s = SCRATCH.get();
        if (s.tile.length < TILE * cols) s.tile = new float[TILE * cols];
        float[] tile = s.tile;
        int r = from;
        for (; r + TILE <= to; r += TILE) {
            for (int i = 0; i < TILE; i++) QuantRows.dequantizeVector(t, seg, (r + i) * rowBytes, tile, i * cols, cols);
            int b = 0;
            for (; b + 2 <= n; b += 2) tile4x2(tile, cols, x, xOff + b * cols, out, outOff + b * rows + r, rows);
            for (; b < n; b++) {
                int xo = xOff + b * cols;
                for (int i = 0; i < TILE; i++) out[outOff + b * rows + r + i] = dotF32(tile, i * cols, x, xo, cols);
            }
        }
        for (; r < to; r++) {
            QuantRows.dequantizeVector(t, seg, r * rowBytes, tile, 0, cols);
            for (int b = 0; b < n; b++) out[outOff + b * rows + r] = dotF32(tile, 0, x, xOff + b * cols, cols);
        }
    }

    /** Four dequantized rows against two activation vectors; cols is a multiple of the block size (≥ 32). */
    private static void tile4x2(float[] w, int cols, float[] x, int xo, float[] out, int o, int os) {
        FloatVector a00 = FloatVector.zero(F), a10 = FloatVector.zero(F), a20 = FloatVector.zero(F), a30 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F), a11 = FloatVector.zero(F), a21 = FloatVector.zero(F), a31 = FloatVector.zero(F);
        for (int c = 0; c < cols; c += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + c);
            FloatVector x1 = FloatVector.fromArray(F, x, xo + cols + c);
            FloatVector w0 = FloatVector.fromArray(F, w, c);
            FloatVector w1 = FloatVector.fromArray(F, w, cols + c);
            FloatVector w2 = FloatVector.fromArray(F, w, 2 * cols + c);
            FloatVector w3 = FloatVector.fromArray(F, w, 3 * cols + c);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            a21 = w2.fma(x1, a21);
            a31 = w3.fma(x1, a31);
        }
        out[o] = a00.reduceLanes(VectorOperators.ADD);
        out[o + 1] = a10.reduceLanes(VectorOperators.ADD);
        out[o + 2] = a20.reduceLanes(VectorOperators.ADD);
        out[o + 3] = a30.reduceLanes(VectorOperators.ADD);
        out[o + os] = a01.reduceLanes(VectorOperators.ADD);
        out[o + os + 1] = a11.reduceLanes(VectorOperators.ADD);
        out[o + os + 2] = a21.reduceLanes(VectorOperators.ADD);
        out[o + os + 3] = a31.reduceLanes(VectorOperators.ADD);
    }

    private static float dotF32(float[] w, int wo, float[] x, int xo, int cols) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += L) {
            acc = FloatVector.fromArray(F, w, wo + c).fma(FloatVector.fromArray(F, x, xo + c), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
