package dev.qwen4j.tensor;

import static dev.qwen4j.tensor.Halfs.F;
import static dev.qwen4j.tensor.Halfs.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The bf16 row-streaming kernel for decode, with the activations in pair-split order.
 *
 * <p>A bf16 value is the top half of an f32, so one int lane holding the pair (w[2i], w[2i+1]) gives
 * both as floats with one op each: {@code lane << 16} is w[2i], {@code lane & 0xFFFF0000} is
 * w[2i+1]. One full-width int load thus yields two float vectors (the even and the odd columns of 2·L
 * weights) without the short→int widening shuffle the plain kernel needs per vector. The dot product
 * does not care about column order, so the activations are permuted to match once per call
 * ({@link #split}): per block of 2·L columns, the L even ones then the L odd ones.
 *
 * <p>Measured on Zen 4 against {@link MatVec#dotBf16} over 1.2 GB of 3072 × 1024 matrices (both in
 * one process, best of 10): 23.7 vs 20.9 GB/s on one thread, 21.0 vs 15.8 GB/s on two threads
 * sharing the machine, i.e. the plain kernel is partly compute bound at decode bandwidths.
 *
 * <p>Layout as in {@link MatVec}: out[outOff + b·rows + r] = Σ_c W[r, c] · x[b·cols + c].
 */
final class PairedBf16 {
    private PairedBf16() {}

    private static final int L = F.length();
    /** Columns per block: one int vector of bf16 pairs. */
    static final int BLOCK = 2 * L;
    private static final VectorSpecies<Integer> I = Halfs.I;
    private static final int HI_MASK = 0xFFFF0000;

    /** Whether a matrix can use this kernel: bf16 with whole blocks per row. */
    static boolean fits(WeightMatrix w) {
        return w.dtype() == DType.BF16 && w.cols() % BLOCK == 0 && I.length() == L;
    }

    /**
     * Writes n activation vectors of length cols (cols apart from x[xOff]) to dst[b·cols ..] in
     * pair-split order: within every block of {@link #BLOCK} columns, even columns first.
     */
    static void split(float[] x, int xOff, int cols, int n, float[] dst) {
        for (int b = 0; b < n; b++) {
            int src = xOff + b * cols, d = b * cols;
            for (int c = 0; c < cols; c += BLOCK) {
                for (int i = 0; i < L; i++) {
                    dst[d + c + i] = x[src + c + 2 * i];
                    dst[d + c + L + i] = x[src + c + 2 * i + 1];
                }
            }
        }
    }

    /** Rows [from, to) for n split activation vectors in xp[b·cols ..]. */
    static void rows(WeightMatrix w, float[] xp, float[] out, int outOff, int n, int from, int to) {
        MemorySegment seg = w.data();
        int rows = w.rows(), cols = w.cols();
        long rowBytes = 2L * cols;
        if (n == 1 && cols > FOUR_ROWS_ABOVE_COLS) {
            int end = from + (to - from) / 4 * 4;
            fourRows(seg, cols, xp, out, outOff, from, end);
            from = end;
        }
        if (n == 1 && cols % (2 * BLOCK) == 0) {
            oneVector(seg, cols, xp, out, outOff, from, to);
            return;
        }
        int r = from;
        if (n >= TILE_MIN_N) {
            float[] acc = accumulators(n);
            for (; r + TILE_ROWS <= to; r += TILE_ROWS) tileRows(seg, r * rowBytes, rowBytes, cols, xp, n, acc, out, outOff + r, rows);
        }
        for (; r < to; r++) {
            long off = r * rowBytes;
            int b = 0;
            for (; b + 2 <= n; b += 2) dot2(seg, off, cols, xp, b * cols, out, outOff + b * rows + r, rows);
            if (b < n) out[outOff + b * rows + r] = dot(seg, off, cols, xp, b * cols);
        }
    }

    /** Rows per register tile. */
    static final int TILE_ROWS = 4;
    /** Tokens per register tile of {@link #tile3}. */
    static final int TILE_TOKENS = 3;
    /**
     * From this many tokens on, rows go through the register tiles (after {@link #LEAD} tokens by {@link #dot2},
     * which streams the rows in); below, through dot2 alone. With 2–3 tokens the product is still bound by memory,
     * and one row streamed at a time is read faster than four rows 2 KB apart (3 tokens, weights out of cache:
     * 0.34 ms with dot2, 0.53 ms with a tile). From 4 tokens the tiles win once the leftover pair has
     * {@link #tile2} (2 threads, weights from DRAM, dot2 only → tiles: 1024 × 3072 4 tokens 535 → 418–466 µs,
     * 5 tokens 611–627 → 452–462; 3072 × 1024 5 tokens 552–563 → 423–443, 4 tokens even).
     */
    static final int TILE_MIN_N = 4;
    /**
     * Most columns per pass of the tiles: rows longer than this (a down projection's) are cut into even
     * passes, so that a pass's activations for a few tokens stay in L1. Not shorter: C2's loop set-up
     * per call made 256-column passes about 1.7× slower than whole 1024-column rows.
     */
    static final int TILE_KC = 1024;

    /**
     * One-vector products over rows wider than this go four rows at a time ({@link #fourRows}): beyond it a row's
     * f32 activations (16 KB) no longer stay in L1 as the row streams past, and every activation load goes to L2.
     * Measured (2 threads, matrices from DRAM, GB/s a row at a time → four rows): 2560 × 4096 30 → 29,
     * 2560 × 5120 27 → 26–28, 2048 × 6144 23 → 27, 2560 × 9728 21 → 25; narrow rows lose (1024 × 3072 31 → 24).
     */
    static final int FOUR_ROWS_ABOVE_COLS = 4096;

    /** Tokens done by {@link #dot2} before the tiles. */
    private static final int LEAD = 2;

    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[0]);

    /** The calling thread's vector accumulators for n tokens × {@link #TILE_ROWS} rows. */
    private static float[] accumulators(int n) {
        float[] acc = ACCUMULATORS.get();
        if (acc.length < n * TILE_ROWS * L) ACCUMULATORS.set(acc = new float[n * TILE_ROWS * L]);
        return acc;
    }

    /**
     * Four rows (row 0 at w[off]) against all n tokens, {@link #TILE_KC} columns per pass; out[o + b·os + i].
     * The per-(token, row) vector sums live in acc[(b·4 + i)·L ..] between passes and are reduced to
     * floats once at the end.
     */
    private static void tileRows(MemorySegment w, long off, long rowBytes, int cols, float[] xp, int n, float[] acc,
                                 float[] out, int o, int os) {
        // Tokens 0 and 1 row by row first: one sequential stream, which the prefetchers follow (the
        // tiles' four rows 2 KB apart are not), brings the rows into cache for the tiles.
        for (int i = 0; i < TILE_ROWS; i++) dot2(w, off + i * rowBytes, cols, xp, 0, out, o + i, os);
        java.util.Arrays.fill(acc, 0, n * TILE_ROWS * L, 0f);
        int passes = (cols + TILE_KC - 1) / TILE_KC;
        int kcMax = ((cols + passes - 1) / passes + BLOCK - 1) / BLOCK * BLOCK;
        for (int k0 = 0; k0 < cols; k0 += kcMax) {
            int kc = Math.min(kcMax, cols - k0);
            long wo = off + 2L * k0;
            int b = LEAD;
            for (; b + TILE_TOKENS <= n; b += TILE_TOKENS) tile3(w, wo, rowBytes, kc, xp, b * cols + k0, cols, acc, b * TILE_ROWS * L);
            if (b + 2 <= n) {
                tile2(w, wo, rowBytes, kc, xp, b * cols + k0, cols, acc, b * TILE_ROWS * L);
                b += 2;
            }
            for (; b < n; b++) tile1(w, wo, rowBytes, kc, xp, b * cols + k0, acc, b * TILE_ROWS * L);
        }
        for (int b = LEAD; b < n; b++) {
            for (int i = 0; i < TILE_ROWS; i++) {
                out[o + b * os + i] = FloatVector.fromArray(F, acc, (b * TILE_ROWS + i) * L).reduceLanes(VectorOperators.ADD);
            }
        }
    }

    /**
     * Rows 0..3 (row 0 at w[off], rowBytes apart) × kc columns against tokens 0..2 (xp[xo], xs apart), added
     * to the vector sums acc[ao + (t·4 + i)·L ..].
     *
     * <p>Each step loads one int vector per row (8 float vectors after unpacking) and two per token,
     * for 24 FMAs into 12 accumulators: 10 loads per 24 FMAs, where {@link #dot2} needs 5 per 4.
     * That keeps the FMA units busy at batch sizes whose weight panels would not repay {@link Gemm}'s
     * packing. 12 accumulators + 8 weights + 6 activations fit the 32 vector registers; a 4 × 4
     * tile does not (C2 spilled half its accumulators to the stack every step: 2× slower).
     */
    static void tile3(MemorySegment w, long off, long rowBytes, int kc, float[] xp, int xo, int xs, float[] acc, int ao) {
        FloatVector a00 = FloatVector.fromArray(F, acc, ao), a10 = FloatVector.fromArray(F, acc, ao + L);
        FloatVector a20 = FloatVector.fromArray(F, acc, ao + 2 * L), a30 = FloatVector.fromArray(F, acc, ao + 3 * L);
        FloatVector a01 = FloatVector.fromArray(F, acc, ao + 4 * L), a11 = FloatVector.fromArray(F, acc, ao + 5 * L);
        FloatVector a21 = FloatVector.fromArray(F, acc, ao + 6 * L), a31 = FloatVector.fromArray(F, acc, ao + 7 * L);
        FloatVector a02 = FloatVector.fromArray(F, acc, ao + 8 * L), a12 = FloatVector.fromArray(F, acc, ao + 9 * L);
        FloatVector a22 = FloatVector.fromArray(F, acc, ao + 10 * L), a32 = FloatVector.fromArray(F, acc, ao + 11 * L);
        long o1 = off + rowBytes, o2 = o1 + rowBytes, o3 = o2 + rowBytes;
        int x1 = xo + xs, x2 = x1 + xs;
        for (int c = 0; c < kc; c += BLOCK) {
            long p = 2L * c;
            IntVector v0 = IntVector.fromMemorySegment(I, w, off + p, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, w, o1 + p, LE);
            IntVector v2 = IntVector.fromMemorySegment(I, w, o2 + p, LE);
            IntVector v3 = IntVector.fromMemorySegment(I, w, o3 + p, LE);
            FloatVector e0 = lo(v0), d0 = hi(v0), e1 = lo(v1), d1 = hi(v1);
            FloatVector e2 = lo(v2), d2 = hi(v2), e3 = lo(v3), d3 = hi(v3);
            FloatVector xe = FloatVector.fromArray(F, xp, xo + c), xd = FloatVector.fromArray(F, xp, xo + c + L);
            a00 = d0.fma(xd, e0.fma(xe, a00));
            a10 = d1.fma(xd, e1.fma(xe, a10));
            a20 = d2.fma(xd, e2.fma(xe, a20));
            a30 = d3.fma(xd, e3.fma(xe, a30));
            xe = FloatVector.fromArray(F, xp, x1 + c);
            xd = FloatVector.fromArray(F, xp, x1 + c + L);
            a01 = d0.fma(xd, e0.fma(xe, a01));
            a11 = d1.fma(xd, e1.fma(xe, a11));
            a21 = d2.fma(xd, e2.fma(xe, a21));
            a31 = d3.fma(xd, e3.fma(xe, a31));
            xe = FloatVector.fromArray(F, xp, x2 + c);
            xd = FloatVector.fromArray(F, xp, x2 + c + L);
            a02 = d0.fma(xd, e0.fma(xe, a02));
            a12 = d1.fma(xd, e1.fma(xe, a12));
            a22 = d2.fma(xd, e2.fma(xe, a22));
            a32 = d3.fma(xd, e3.fma(xe, a32));
        }
        a00.intoArray(acc, ao);
        a10.intoArray(acc, ao + L);
        a20.intoArray(acc, ao + 2 * L);
        a30.intoArray(acc, ao + 3 * L);
        a01.intoArray(acc, ao + 4 * L);
        a11.intoArray(acc, ao + 5 * L);
        a21.intoArray(acc, ao + 6 * L);
        a31.intoArray(acc, ao + 7 * L);
        a02.intoArray(acc, ao + 8 * L);
        a12.intoArray(acc, ao + 9 * L);
        a22.intoArray(acc, ao + 10 * L);
        a32.intoArray(acc, ao + 11 * L);
    }

    /** {@link #tile3} for two tokens (xp[xo] and xp[xo + xs]): the leftover of n mod 3 when it is 2. */
    static void tile2(MemorySegment w, long off, long rowBytes, int kc, float[] xp, int xo, int xs, float[] acc, int ao) {
        FloatVector a00 = FloatVector.fromArray(F, acc, ao), a10 = FloatVector.fromArray(F, acc, ao + L);
        FloatVector a20 = FloatVector.fromArray(F, acc, ao + 2 * L), a30 = FloatVector.fromArray(F, acc, ao + 3 * L);
        FloatVector a01 = FloatVector.fromArray(F, acc, ao + 4 * L), a11 = FloatVector.fromArray(F, acc, ao + 5 * L);
        FloatVector a21 = FloatVector.fromArray(F, acc, ao + 6 * L), a31 = FloatVector.fromArray(F, acc, ao + 7 * L);
        long o1 = off + rowBytes, o2 = o1 + rowBytes, o3 = o2 + rowBytes;
        int x1 = xo + xs;
        for (int c = 0; c < kc; c += BLOCK) {
            long p = 2L * c;
            IntVector v0 = IntVector.fromMemorySegment(I, w, off + p, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, w, o1 + p, LE);
            IntVector v2 = IntVector.fromMemorySegment(I, w, o2 + p, LE);
            IntVector v3 = IntVector.fromMemorySegment(I, w, o3 + p, LE);
            FloatVector e0 = lo(v0), d0 = hi(v0), e1 = lo(v1), d1 = hi(v1);
            FloatVector e2 = lo(v2), d2 = hi(v2), e3 = lo(v3), d3 = hi(v3);
            FloatVector xe = FloatVector.fromArray(F, xp, xo + c), xd = FloatVector.fromArray(F, xp, xo + c + L);
            a00 = d0.fma(xd, e0.fma(xe, a00));
            a10 = d1.fma(xd, e1.fma(xe, a10));
            a20 = d2.fma(xd, e2.fma(xe, a20));
            a30 = d3.fma(xd, e3.fma(xe, a30));
            xe = FloatVector.fromArray(F, xp, x1 + c);
            xd = FloatVector.fromArray(F, xp, x1 + c + L);
            a01 = d0.fma(xd, e0.fma(xe, a01));
            a11 = d1.fma(xd, e1.fma(xe, a11));
            a21 = d2.fma(xd, e2.fma(xe, a21));
            a31 = d3.fma(xd, e3.fma(xe, a31));
        }
        a00.intoArray(acc, ao);
        a10.intoArray(acc, ao + L);
        a20.intoArray(acc, ao + 2 * L);
        a30.intoArray(acc, ao + 3 * L);
        a01.intoArray(acc, ao + 4 * L);
        a11.intoArray(acc, ao + 5 * L);
        a21.intoArray(acc, ao + 6 * L);
        a31.intoArray(acc, ao + 7 * L);
    }

    /** {@link #tile3} for one token: the leftover of n mod 3. */
    static void tile1(MemorySegment w, long off, long rowBytes, int kc, float[] xp, int xo, float[] acc, int ao) {
        FloatVector a0 = FloatVector.fromArray(F, acc, ao), a1 = FloatVector.fromArray(F, acc, ao + L);
        FloatVector a2 = FloatVector.fromArray(F, acc, ao + 2 * L), a3 = FloatVector.fromArray(F, acc, ao + 3 * L);
        long o1 = off + rowBytes, o2 = o1 + rowBytes, o3 = o2 + rowBytes;
        for (int c = 0; c < kc; c += BLOCK) {
            long p = 2L * c;
            IntVector v0 = IntVector.fromMemorySegment(I, w, off + p, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, w, o1 + p, LE);
            IntVector v2 = IntVector.fromMemorySegment(I, w, o2 + p, LE);
            IntVector v3 = IntVector.fromMemorySegment(I, w, o3 + p, LE);
            FloatVector xe = FloatVector.fromArray(F, xp, xo + c), xd = FloatVector.fromArray(F, xp, xo + c + L);
            a0 = hi(v0).fma(xd, lo(v0).fma(xe, a0));
            a1 = hi(v1).fma(xd, lo(v1).fma(xe, a1));
            a2 = hi(v2).fma(xd, lo(v2).fma(xe, a2));
            a3 = hi(v3).fma(xd, lo(v3).fma(xe, a3));
        }
        a0.intoArray(acc, ao);
        a1.intoArray(acc, ao + L);
        a2.intoArray(acc, ao + 2 * L);
        a3.intoArray(acc, ao + 3 * L);
    }

    /**
     * Rows [from, to) against one split vector (cols a multiple of 2·{@link #BLOCK}), as {@link #dot} row by row
     * but in one flat loop over the range's steps, a row's sum stored after its last: C2 sets up a loop's range
     * checks on every entry, a sizeable part of a 1024-column row's time.
     */
    private static void oneVector(MemorySegment w, int cols, float[] xp, float[] out, int o, int from, int to) {
        int perRow = cols / (2 * BLOCK), steps = (to - from) * perRow, r = from, c = 0;
        long off = 2L * cols * from;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int k = 0; k < steps; k++) {
            long p = off + 4L * BLOCK * k;
            IntVector v0 = IntVector.fromMemorySegment(I, w, p, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, w, p + 4L * L, LE);
            a0 = lo(v0).fma(FloatVector.fromArray(F, xp, c), a0);
            a1 = hi(v0).fma(FloatVector.fromArray(F, xp, c + L), a1);
            a2 = lo(v1).fma(FloatVector.fromArray(F, xp, c + 2 * L), a2);
            a3 = hi(v1).fma(FloatVector.fromArray(F, xp, c + 3 * L), a3);
            c += 2 * BLOCK;
            if (c == cols) {
                out[o + r++] = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
                a0 = FloatVector.zero(F);
                a1 = a0;
                a2 = a0;
                a3 = a0;
                c = 0;
            }
        }
    }

    /** One row against one split vector: two int loads (4 float vectors) per step, 4 chains. */
    static float dot(MemorySegment w, long off, int cols, float[] xp, int xo) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (; c <= cols - 2 * BLOCK; c += 2 * BLOCK) {
            long p = off + 2L * c;
            IntVector v0 = IntVector.fromMemorySegment(I, w, p, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, w, p + 4L * L, LE);
            a0 = lo(v0).fma(FloatVector.fromArray(F, xp, xo + c), a0);
            a1 = hi(v0).fma(FloatVector.fromArray(F, xp, xo + c + L), a1);
            a2 = lo(v1).fma(FloatVector.fromArray(F, xp, xo + c + 2 * L), a2);
            a3 = hi(v1).fma(FloatVector.fromArray(F, xp, xo + c + 3 * L), a3);
        }
        if (c < cols) { // one block left
            IntVector v0 = IntVector.fromMemorySegment(I, w, off + 2L * c, LE);
            a0 = lo(v0).fma(FloatVector.fromArray(F, xp, xo + c), a0);
            a1 = hi(v0).fma(FloatVector.fromArray(F, xp, xo + c + L), a1);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    /** One row against two split vectors (cols apart from xp[xo]); results to out[o], out[o + os]. */
    static void dot2(MemorySegment w, long off, int cols, float[] xp, int xo, float[] out, int o, int os) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
        int x1 = xo + cols;
        for (int c = 0; c < cols; c += BLOCK) {
            IntVector v = IntVector.fromMemorySegment(I, w, off + 2L * c, LE);
            FloatVector even = lo(v), odd = hi(v);
            a0 = even.fma(FloatVector.fromArray(F, xp, xo + c), a0);
            a1 = odd.fma(FloatVector.fromArray(F, xp, xo + c + L), a1);
            b0 = even.fma(FloatVector.fromArray(F, xp, x1 + c), b0);
            b1 = odd.fma(FloatVector.fromArray(F, xp, x1 + c + L), b1);
        }
        out[o] = a0.add(a1).reduceLanes(VectorOperators.ADD);
        out[o + os] = b0.add(b1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * Rows [from, to) ((to − from) a multiple of 4) against one split vector, four rows at a time: each activation
     * load serves four rows.
     */
    private static void fourRows(MemorySegment w, int cols, float[] xp, float[] out, int o, int from, int to) {
        long rowBytes = 2L * cols;
        for (int r = from; r < to; r += 4) {
            long o0 = r * rowBytes, o1 = o0 + rowBytes, o2 = o1 + rowBytes, o3 = o2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < cols; c += BLOCK) {
                long p = 2L * c;
                IntVector v0 = IntVector.fromMemorySegment(I, w, o0 + p, LE);
                IntVector v1 = IntVector.fromMemorySegment(I, w, o1 + p, LE);
                IntVector v2 = IntVector.fromMemorySegment(I, w, o2 + p, LE);
                IntVector v3 = IntVector.fromMemorySegment(I, w, o3 + p, LE);
                FloatVector xe = FloatVector.fromArray(F, xp, c), xd = FloatVector.fromArray(F, xp, c + L);
                a0 = hi(v0).fma(xd, lo(v0).fma(xe, a0));
                a1 = hi(v1).fma(xd, lo(v1).fma(xe, a1));
                a2 = hi(v2).fma(xd, lo(v2).fma(xe, a2));
                a3 = hi(v3).fma(xd, lo(v3).fma(xe, a3));
            }
            out[o + r] = a0.reduceLanes(VectorOperators.ADD);
            out[o + r + 1] = a1.reduceLanes(VectorOperators.ADD);
            out[o + r + 2] = a2.reduceLanes(VectorOperators.ADD);
            out[o + r + 3] = a3.reduceLanes(VectorOperators.ADD);
        }
    }

    /** The even columns of a block: the low bf16 of each pair moved into the f32's top half. */
    private static FloatVector lo(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** The odd columns: the high bf16 of each pair is already in place. */
    private static FloatVector hi(IntVector pairs) {
        return pairs.and(HI_MASK).reinterpretAsFloats();
    }
}
