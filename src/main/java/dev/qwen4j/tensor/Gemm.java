package dev.qwen4j.tensor;

import static dev.qwen4j.tensor.Halfs.F;

import dev.qwen4j.tensor.quant.QuantRows;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Packed matrix-matrix kernel for prefill (many activation vectors), the compute-bound case.
 *
 * <p>Both operands are stored along K (W row-major [rows, cols], x token-major [n, cols]), and
 * the output is token-major with rows contiguous: out[b·rows + r]. So the micro-kernel vectorises
 * over rows: a block of {@link #RB} rows × KC columns of W is converted to f32 and transposed once
 * into a thread-local panel wp[k·RB + r]; then for every group of {@link #TB} tokens it runs
 * RB/L × TB vector accumulators over the panel, each step loading RB/L weight vectors and
 * broadcasting TB activations. The 32 × 6 shape (12 accumulators, 2 loads + 6 broadcasts per 12
 * FMAs) reached 110 GFLOP/s on one Zen 4 core, about 95% of its FMA peak; a 48 × 8 shape spilled
 * registers and ran 3× slower. No horizontal reductions are needed, and the accumulators are
 * stored straight into out.
 *
 * <p>Each panel is reused by all n tokens, so the conversion and transpose (about 0.25 ns per weight,
 * roughly the cost of 16 of its multiply-adds) are amortised over n; K is cut into chunks of at most {@link #KC_MAX} so the panel (128 KB)
 * stays in L2 while the chunk's activations stream from L2/L3.
 */
final class Gemm {
    private Gemm() {}

    private static final int L = F.length();
    /** Rows per panel: two float vectors. */
    static final int RB = 2 * L;
    /** Tokens per micro-tile. */
    static final int TB = 6;
    static final int KC_MAX = 1024;

    /** Per-thread scratch: the packed panel and, for a final partial row block, an output tile. */
    private static final class Scratch {
        final float[] panel = new float[RB * KC_MAX];
        final float[] stage = new float[STAGE_FLOATS];
        float[] tile = new float[0];

        float[] tile(int size) {
            if (tile.length < size) tile = new float[size];
            return tile;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Computes output rows [from, to), where from is a multiple of {@link #RB}. */
    static void rows(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n, int from, int to) {
        int rows = w.rows(), cols = w.cols();
        Scratch s = SCRATCH.get();
        float[] wp = s.panel;
        int chunks = (cols + KC_MAX - 1) / KC_MAX;
        int kcMax = (cols + chunks - 1) / chunks; // even chunks: 1100 → 2 × 550, not 1024 + 76
        int block = w.dtype().blockSize();
        kcMax = (kcMax + block - 1) / block * block; // quantized blocks decode whole; KC_MAX is a multiple of 256
        for (int r0 = from; r0 < to; r0 += RB) {
            int rb = Math.min(RB, to - r0);
            // A full block is written in place; the final partial block goes through a tile so the
            // kernels never need masks and never touch rows beyond the matrix.
            boolean partial = rb < RB;
            float[] dst = partial ? s.tile(n * RB) : out;
            int dOff = partial ? 0 : outOff + r0;
            int ds = partial ? RB : rows;
            for (int k0 = 0; k0 < cols; k0 += kcMax) {
                int kc = Math.min(kcMax, cols - k0);
                pack(w, r0, rb, k0, kc, wp, s.stage);
                tokens(wp, kc, x, xOff + k0, cols, dst, dOff, ds, n, k0 > 0);
            }
            if (partial) {
                for (int b = 0; b < n; b++) System.arraycopy(dst, b * RB, out, outOff + b * rows + r0, rb);
            }
        }
    }

    /**
     * One packed panel of kc columns against all n tokens (token b's chunk at x[xo + b·cols ..]): groups of
     * 6, then 4, 2, 1; output rows of token b at dst[dOff + b·ds ..], added to when acc is set.
     */
    static void tokens(float[] wp, int kc, float[] x, int xo, int cols, float[] dst, int dOff, int ds, int n, boolean acc) {
        int b = 0;
        for (; b + 6 <= n; b += 6) k6(wp, kc, x, xo + b * cols, cols, dst, dOff + b * ds, ds, acc);
        if (n - b >= 4) {
            k4(wp, kc, x, xo + b * cols, cols, dst, dOff + b * ds, ds, acc);
            b += 4;
        }
        if (n - b >= 2) {
            k2(wp, kc, x, xo + b * cols, cols, dst, dOff + b * ds, ds, acc);
            b += 2;
        }
        if (n - b >= 1) k1(wp, kc, x, xo + b * cols, dst, dOff + b * ds, acc);
    }

    // ---- packing: W[r0 .. r0+rb, k0 .. k0+kc) → wp[k·RB + r] as f32, rows ≥ rb zero -----------------
    //
    // A straightforward k-outer scalar loop costs ~1.3 ns per weight: besides being scalar, it reads
    // the same column of 32 rows at a time, and rows 2 KB apart (any row length that is a multiple of
    // 2 KB, i.e. every Qwen3 shape) all map to the same two L1 sets, so each row's cache line is evicted
    // before the next columns are read from it. Instead, 16 rows at a time are converted STAGE_W
    // columns wide into a small row-major staging buffer (each source line read once, whole), and
    // each 16 × 16 block of it is transposed in registers with two-source permutes. 0.25 ns per weight.

    /** Columns staged per row: 64 f32 = 256 B, so the 16 staged rows fall in distinct L1 sets. */
    static final int STAGE_W = 64;
    /**
     * Columns staged per row for block-quantized weights: whole blocks must be dequantized at once, and
     * 256 (one K-quant super-block, eight Q8_0/Q4_0 blocks) is the widest block; 16 such rows are 16 KB.
     */
    static final int QSTAGE_W = 256;
    /** Size of the staging buffer {@link #pack} needs. */
    static final int STAGE_FLOATS = 16 * QSTAGE_W;

    static void pack(WeightMatrix w, int r0, int rb, int k0, int kc, float[] wp, float[] stage) {
        if (w.dtype().isQuantized() && L == 16 && rb == RB) {
            packQuantized(w, r0, k0, kc, wp, stage);
            return;
        }
        if (L != 16 || rb != RB) {
            // the 16 × 16 transpose is written for 512-bit vectors; other shapes (and the final partial
            // row block) take the scalar path
            packScalar(w, r0, rb, k0, 0, kc, wp);
            return;
        }
        int kVec = kc & ~15;
        for (int half = 0; half < 2; half++) {
            for (int kb = 0; kb < kVec; kb += STAGE_W) {
                int width = Math.min(STAGE_W, kVec - kb);
                stageRows(w, r0 + 16 * half, k0 + kb, width, stage);
                for (int kk = 0; kk < width; kk += 16) Transpose16.transpose(stage, kk, STAGE_W, wp, (kb + kk) * RB + 16 * half, RB);
            }
        }
        if (kVec < kc) packScalar(w, r0, rb, k0, kVec, kc, wp);
    }

    /**
     * The quantized twin of the staging loop: 16 rows at a time are dequantized {@link #QSTAGE_W} columns
     * (whole blocks) wide, then transposed like the others. k0 and kc are multiples of the block size.
     */
    private static void packQuantized(WeightMatrix w, int r0, int k0, int kc, float[] wp, float[] stage) {
        DType t = w.dtype();
        MemorySegment seg = w.data();
        long rowBytes = t.byteSize(w.cols());
        for (int half = 0; half < 2; half++) {
            for (int kb = 0; kb < kc; kb += QSTAGE_W) {
                int width = Math.min(QSTAGE_W, kc - kb);
                long colBytes = t.byteSize(k0 + kb);
                for (int j = 0; j < 16; j++) {
                    QuantRows.dequantizeVector(t, seg, (r0 + 16 * half + j) * rowBytes + colBytes, stage, j * QSTAGE_W, width);
                }
                for (int kk = 0; kk < width; kk += 16) Transpose16.transpose(stage, kk, QSTAGE_W, wp, (kb + kk) * RB + 16 * half, RB);
            }
        }
    }

    /** Converts rows [r, r+16) × columns [k, k+width) to f32 into stage[j·STAGE_W + c]; width % 16 == 0. */
    private static void stageRows(WeightMatrix w, int r, int k, int width, float[] stage) {
        MemorySegment seg = w.data();
        int bytes = w.dtype().bytes();
        long rowBytes = (long) w.cols() * bytes;
        long base = r * rowBytes + (long) k * bytes;
        switch (w.dtype()) {
            case F32 -> {
                for (int j = 0; j < 16; j++) {
                    long o = base + j * rowBytes;
                    for (int c = 0; c < width; c += 16) {
                        FloatVector.fromMemorySegment(F, seg, o + 4L * c, Halfs.LE).intoArray(stage, j * STAGE_W + c);
                    }
                }
            }
            case BF16 -> {
                for (int j = 0; j < 16; j++) {
                    long o = base + j * rowBytes;
                    for (int c = 0; c < width; c += 16) Halfs.bf16(seg, o + 2L * c).intoArray(stage, j * STAGE_W + c);
                }
            }
            case F16 -> {
                for (int j = 0; j < 16; j++) {
                    long o = base + j * rowBytes;
                    for (int c = 0; c < width; c += 16) Halfs.f16(seg, o + 2L * c).intoArray(stage, j * STAGE_W + c);
                }
            }
        }
    }

    /** Scalar packing of columns [kFrom, kTo) of the chunk (and zero rows ≥ rb), any vector shape. */
    static void packScalar(WeightMatrix w, int r0, int rb, int k0, int kFrom, int kTo, float[] wp) {
        MemorySegment seg = w.data();
        if (w.dtype().isQuantized()) {
            // blocks decode whole: one row segment at a time (k0 + kFrom and kTo − kFrom are block multiples)
            DType t = w.dtype();
            long qRowBytes = t.byteSize(w.cols());
            float[] row = new float[kTo - kFrom];
            for (int r = 0; r < RB; r++) {
                if (r < rb) QuantRows.dequantizeVector(t, seg, (r0 + r) * qRowBytes + t.byteSize(k0 + kFrom), row, 0, row.length);
                for (int k = kFrom; k < kTo; k++) wp[k * RB + r] = r < rb ? row[k - kFrom] : 0f;
            }
            return;
        }
        int bytes = w.dtype().bytes();
        long rowBytes = (long) w.cols() * bytes;
        long base = r0 * rowBytes + (long) k0 * bytes;
        for (int k = kFrom; k < kTo; k++) {
            long o = base + (long) k * bytes;
            int p = k * RB;
            switch (w.dtype()) {
                case F32 -> {
                    for (int r = 0; r < rb; r++) wp[p + r] = seg.get(WeightMatrix.F32, o + r * rowBytes);
                }
                case BF16 -> {
                    for (int r = 0; r < rb; r++) wp[p + r] = Halfs.bf16ToFloat(seg.get(WeightMatrix.I16, o + r * rowBytes));
                }
                case F16 -> {
                    for (int r = 0; r < rb; r++) wp[p + r] = Halfs.f16ToFloat(seg.get(WeightMatrix.I16, o + r * rowBytes));
                }
            }
            for (int r = rb; r < RB; r++) wp[p + r] = 0f;
        }
    }

    // ---- micro-kernels: RB rows × t tokens over one panel ----------------------------------------------
    // x: activations of token j at x[xo + j·xs + k]; out: token j's RB rows at out[o + j·os ..]; when acc
    // is set the tile is added to what out holds (K chunks after the first).
    //
    // The kernels write their tiles out themselves rather than through a helper that takes the vectors:
    // a kernel this size sits near C2's inlining node-count cutoff, and when a run's profile tips it over,
    // the helper stays a call, its vector arguments are boxed, and C2 allocates those boxes inside the
    // loop (~16 GB/s of garbage, prefill at half speed for the rest of the run; 4 of 19 runs of pp512).
    // Only the Vector API's own force-inlined methods are called here.

    static void k6(float[] wp, int kc, float[] x, int xo, int xs, float[] out, int o, int os, boolean acc) {
        int x1 = xo + xs, x2 = x1 + xs, x3 = x2 + xs, x4 = x3 + xs, x5 = x4 + xs;
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int k = 0; k < kc; k++) {
            FloatVector w0 = FloatVector.fromArray(F, wp, k * RB);
            FloatVector w1 = FloatVector.fromArray(F, wp, k * RB + L);
            FloatVector b;
            b = FloatVector.broadcast(F, x[xo + k]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F, x[x1 + k]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, x[x2 + k]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(F, x[x3 + k]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            b = FloatVector.broadcast(F, x[x4 + k]);
            c40 = w0.fma(b, c40);
            c41 = w1.fma(b, c41);
            b = FloatVector.broadcast(F, x[x5 + k]);
            c50 = w0.fma(b, c50);
            c51 = w1.fma(b, c51);
        }
        if (acc) {
            c00 = c00.add(FloatVector.fromArray(F, out, o));
            c01 = c01.add(FloatVector.fromArray(F, out, o + L));
            c10 = c10.add(FloatVector.fromArray(F, out, o + os));
            c11 = c11.add(FloatVector.fromArray(F, out, o + os + L));
            c20 = c20.add(FloatVector.fromArray(F, out, o + 2 * os));
            c21 = c21.add(FloatVector.fromArray(F, out, o + 2 * os + L));
            c30 = c30.add(FloatVector.fromArray(F, out, o + 3 * os));
            c31 = c31.add(FloatVector.fromArray(F, out, o + 3 * os + L));
            c40 = c40.add(FloatVector.fromArray(F, out, o + 4 * os));
            c41 = c41.add(FloatVector.fromArray(F, out, o + 4 * os + L));
            c50 = c50.add(FloatVector.fromArray(F, out, o + 5 * os));
            c51 = c51.add(FloatVector.fromArray(F, out, o + 5 * os + L));
        }
        c00.intoArray(out, o);
        c01.intoArray(out, o + L);
        c10.intoArray(out, o + os);
        c11.intoArray(out, o + os + L);
        c20.intoArray(out, o + 2 * os);
        c21.intoArray(out, o + 2 * os + L);
        c30.intoArray(out, o + 3 * os);
        c31.intoArray(out, o + 3 * os + L);
        c40.intoArray(out, o + 4 * os);
        c41.intoArray(out, o + 4 * os + L);
        c50.intoArray(out, o + 5 * os);
        c51.intoArray(out, o + 5 * os + L);
    }

    static void k4(float[] wp, int kc, float[] x, int xo, int xs, float[] out, int o, int os, boolean acc) {
        int x1 = xo + xs, x2 = x1 + xs, x3 = x2 + xs;
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int k = 0; k < kc; k++) {
            FloatVector w0 = FloatVector.fromArray(F, wp, k * RB);
            FloatVector w1 = FloatVector.fromArray(F, wp, k * RB + L);
            FloatVector b;
            b = FloatVector.broadcast(F, x[xo + k]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F, x[x1 + k]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, x[x2 + k]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(F, x[x3 + k]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
        }
        if (acc) {
            c00 = c00.add(FloatVector.fromArray(F, out, o));
            c01 = c01.add(FloatVector.fromArray(F, out, o + L));
            c10 = c10.add(FloatVector.fromArray(F, out, o + os));
            c11 = c11.add(FloatVector.fromArray(F, out, o + os + L));
            c20 = c20.add(FloatVector.fromArray(F, out, o + 2 * os));
            c21 = c21.add(FloatVector.fromArray(F, out, o + 2 * os + L));
            c30 = c30.add(FloatVector.fromArray(F, out, o + 3 * os));
            c31 = c31.add(FloatVector.fromArray(F, out, o + 3 * os + L));
        }
        c00.intoArray(out, o);
        c01.intoArray(out, o + L);
        c10.intoArray(out, o + os);
        c11.intoArray(out, o + os + L);
        c20.intoArray(out, o + 2 * os);
        c21.intoArray(out, o + 2 * os + L);
        c30.intoArray(out, o + 3 * os);
        c31.intoArray(out, o + 3 * os + L);
    }

    static void k2(float[] wp, int kc, float[] x, int xo, int xs, float[] out, int o, int os, boolean acc) {
        int x1 = xo + xs;
        FloatVector z = FloatVector.zero(F);
        // two accumulator sets over even/odd k: 4 chains per token pair hide the FMA latency
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, d00 = z, d01 = z, d10 = z, d11 = z;
        int k = 0;
        for (; k + 1 < kc; k += 2) {
            FloatVector w0 = FloatVector.fromArray(F, wp, k * RB);
            FloatVector w1 = FloatVector.fromArray(F, wp, k * RB + L);
            FloatVector v0 = FloatVector.fromArray(F, wp, k * RB + RB);
            FloatVector v1 = FloatVector.fromArray(F, wp, k * RB + RB + L);
            FloatVector b = FloatVector.broadcast(F, x[xo + k]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F, x[x1 + k]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, x[xo + k + 1]);
            d00 = v0.fma(b, d00);
            d01 = v1.fma(b, d01);
            b = FloatVector.broadcast(F, x[x1 + k + 1]);
            d10 = v0.fma(b, d10);
            d11 = v1.fma(b, d11);
        }
        if (k < kc) {
            FloatVector w0 = FloatVector.fromArray(F, wp, k * RB);
            FloatVector w1 = FloatVector.fromArray(F, wp, k * RB + L);
            FloatVector b = FloatVector.broadcast(F, x[xo + k]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F, x[x1 + k]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
        }
        c00 = c00.add(d00);
        c01 = c01.add(d01);
        c10 = c10.add(d10);
        c11 = c11.add(d11);
        if (acc) {
            c00 = c00.add(FloatVector.fromArray(F, out, o));
            c01 = c01.add(FloatVector.fromArray(F, out, o + L));
            c10 = c10.add(FloatVector.fromArray(F, out, o + os));
            c11 = c11.add(FloatVector.fromArray(F, out, o + os + L));
        }
        c00.intoArray(out, o);
        c01.intoArray(out, o + L);
        c10.intoArray(out, o + os);
        c11.intoArray(out, o + os + L);
    }

    static void k1(float[] wp, int kc, float[] x, int xo, float[] out, int o, boolean acc) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c0 = z, c1 = z, d0 = z, d1 = z;
        int k = 0;
        for (; k + 1 < kc; k += 2) {
            FloatVector b = FloatVector.broadcast(F, x[xo + k]);
            c0 = FloatVector.fromArray(F, wp, k * RB).fma(b, c0);
            c1 = FloatVector.fromArray(F, wp, k * RB + L).fma(b, c1);
            b = FloatVector.broadcast(F, x[xo + k + 1]);
            d0 = FloatVector.fromArray(F, wp, k * RB + RB).fma(b, d0);
            d1 = FloatVector.fromArray(F, wp, k * RB + RB + L).fma(b, d1);
        }
        if (k < kc) {
            FloatVector b = FloatVector.broadcast(F, x[xo + k]);
            c0 = FloatVector.fromArray(F, wp, k * RB).fma(b, c0);
            c1 = FloatVector.fromArray(F, wp, k * RB + L).fma(b, c1);
        }
        c0 = c0.add(d0);
        c1 = c1.add(d1);
        if (acc) {
            c0 = c0.add(FloatVector.fromArray(F, out, o));
            c1 = c1.add(FloatVector.fromArray(F, out, o + L));
        }
        c0.intoArray(out, o);
        c1.intoArray(out, o + L);
    }
}
