package dev.qwen4j.tensor;

import static dev.qwen4j.tensor.Halfs.F;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * A BF16 weight matrix stored once more, already in {@link Gemm}'s panel order, for batched matmuls
 * of a few to a few dozen rows (a serving engine's decode steps).
 *
 * <p>{@link Gemm} converts and transposes every 32-row block of W into an f32 panel on each call.
 * With many tokens (prefill) that cost is amortised; with 16 it is about as large as the
 * multiply-adds themselves, and it reads W 2 KB-strided rather than as one stream. Here the panels
 * are made once, kept as BF16 (the same bytes as W), laid out block after block as
 * p[block][k][32 rows], and for fewer than {@link #WIDEN_MIN_N} tokens the micro-kernels convert each
 * panel row to f32 as they load it; with more (prefill) each K chunk is widened once, linearly, into
 * Gemm's f32 panel. Measured on the project's Zen 4 box with 16 tokens against the lm_head shape
 * [151936, 1024]: about 2× {@link Gemm}'s throughput, near the FMA peak.
 *
 * <p>Results are bit-identical to {@link Gemm}: the same K chunks, the same micro-kernel shapes and
 * the same order of multiply-adds per output (BF16 → f32 is exact). The price is a second copy of
 * the weights in native memory.
 */
final class Bf16Panels {
    private Bf16Panels() {}

    private static final int L = F.length();
    private static final int RB = Gemm.RB;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Bytes of one panel row (RB BF16 weights). */
    private static final long ROW = 2L * RB;

    /**
     * From this many tokens on, each chunk of a panel is widened to f32 once and the f32 kernels reuse it
     * (prefill); below, widening inside the micro-kernels costs less than the extra pass (decode batches).
     */
    static final int WIDEN_MIN_N = 32;

    private static final ThreadLocal<float[]> WIDENED = ThreadLocal.withInitial(() -> new float[RB * Gemm.KC_MAX]);

    /** The panels of a BF16 matrix: block b's column k at byte (b·cols + k)·{@link #ROW}, rows past the matrix zero. */
    static MemorySegment pack(WeightMatrix w) {
        if (w.dtype() != DType.BF16) throw new IllegalArgumentException("BF16 panels need a BF16 matrix, not " + w);
        int rows = w.rows(), cols = w.cols();
        int blocks = (rows + RB - 1) / RB;
        MemorySegment p = Arena.ofAuto().allocate((long) blocks * cols * ROW, 64);
        Parallel.forRange(blocks, 1, (from, to) -> {
            float[] wp = new float[RB * Gemm.KC_MAX];
            float[] stage = new float[16 * Gemm.STAGE_W];
            for (int b = from; b < to; b++) {
                int r0 = b * RB, rb = Math.min(RB, rows - r0);
                for (int k0 = 0; k0 < cols; k0 += Gemm.KC_MAX) {
                    int kc = Math.min(Gemm.KC_MAX, cols - k0);
                    Gemm.pack(w, r0, rb, k0, kc, wp, stage);
                    long base = ((long) b * cols + k0) * ROW;
                    // the f32 values came from BF16, so their upper halves are the BF16 bits exactly
                    for (int i = 0; i < kc * RB; i++) p.set(I16, base + 2L * i, (short) (Float.floatToRawIntBits(wp[i]) >>> 16));
                }
            }
        });
        return p;
    }

    /** As {@link Gemm#rows}: output rows [from, to) of x · Wᵀ for n tokens, from a multiple of {@link Gemm#RB}. */
    static void rows(MemorySegment p, int rows, int cols, float[] x, int xOff, float[] out, int outOff, int n, int from, int to) {
        int chunks = (cols + Gemm.KC_MAX - 1) / Gemm.KC_MAX;
        int kcMax = (cols + chunks - 1) / chunks; // the same chunks as Gemm, so sums round alike
        float[] tile = null, wp = null;
        for (int r0 = from; r0 < to; r0 += RB) {
            int rb = Math.min(RB, to - r0);
            boolean partial = rb < RB;
            if (partial && (tile == null || tile.length < n * RB)) tile = new float[n * RB];
            float[] dst = partial ? tile : out;
            int dOff = partial ? 0 : outOff + r0;
            int ds = partial ? RB : rows;
            long block = (long) (r0 / RB) * cols;
            for (int k0 = 0; k0 < cols; k0 += kcMax) {
                int kc = Math.min(kcMax, cols - k0);
                long wo = (block + k0) * ROW;
                boolean acc = k0 > 0;
                if (n >= WIDEN_MIN_N) {
                    // many token groups reuse the chunk: widen it once (a linear pass, no transpose) into
                    // Gemm's f32 panel and run Gemm's own micro-kernels on it
                    if (wp == null) wp = WIDENED.get();
                    for (int i = 0; i < kc * RB; i += L) Halfs.bf16(p, wo + 2L * i).intoArray(wp, i);
                    Gemm.tokens(wp, kc, x, xOff + k0, cols, dst, dOff, ds, n, acc);
                    continue;
                }
                int b = 0;
                for (; b + 6 <= n; b += 6) k6(p, wo, kc, x, xOff + b * cols + k0, cols, dst, dOff + b * ds, ds, acc);
                if (n - b >= 4) {
                    k4(p, wo, kc, x, xOff + b * cols + k0, cols, dst, dOff + b * ds, ds, acc);
                    b += 4;
                }
                if (n - b >= 2) {
                    k2(p, wo, kc, x, xOff + b * cols + k0, cols, dst, dOff + b * ds, ds, acc);
                    b += 2;
                }
                if (n - b >= 1) k1(p, wo, kc, x, xOff + b * cols + k0, dst, dOff + b * ds, acc);
            }
            if (partial) {
                for (int b = 0; b < n; b++) System.arraycopy(dst, b * RB, out, outOff + b * rows + r0, rb);
            }
        }
    }

    // The micro-kernels are Gemm's k6/k4/k2/k1 with each panel load w = wp[k·RB ..] replaced by a BF16
    // load and widening: keep the two in step, the tests compare them bit for bit.

    private static void k6(MemorySegment p, long wo, int kc, float[] x, int xo, int xs, float[] out, int o, int os, boolean acc) {
        int x1 = xo + xs, x2 = x1 + xs, x3 = x2 + xs, x4 = x3 + xs, x5 = x4 + xs;
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int k = 0; k < kc; k++) {
            long a = wo + k * ROW;
            FloatVector w0 = Halfs.bf16(p, a);
            FloatVector w1 = Halfs.bf16(p, a + 2L * L);
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

    private static void k4(MemorySegment p, long wo, int kc, float[] x, int xo, int xs, float[] out, int o, int os, boolean acc) {
        int x1 = xo + xs, x2 = x1 + xs, x3 = x2 + xs;
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
        for (int k = 0; k < kc; k++) {
            long a = wo + k * ROW;
            FloatVector w0 = Halfs.bf16(p, a);
            FloatVector w1 = Halfs.bf16(p, a + 2L * L);
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

    private static void k2(MemorySegment p, long wo, int kc, float[] x, int xo, int xs, float[] out, int o, int os, boolean acc) {
        int x1 = xo + xs;
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, d00 = z, d01 = z, d10 = z, d11 = z;
        int k = 0;
        for (; k + 1 < kc; k += 2) {
            long a = wo + k * ROW;
            FloatVector w0 = Halfs.bf16(p, a);
            FloatVector w1 = Halfs.bf16(p, a + 2L * L);
            FloatVector v0 = Halfs.bf16(p, a + ROW);
            FloatVector v1 = Halfs.bf16(p, a + ROW + 2L * L);
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
            long a = wo + k * ROW;
            FloatVector w0 = Halfs.bf16(p, a);
            FloatVector w1 = Halfs.bf16(p, a + 2L * L);
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

    private static void k1(MemorySegment p, long wo, int kc, float[] x, int xo, float[] out, int o, boolean acc) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c0 = z, c1 = z, d0 = z, d1 = z;
        int k = 0;
        for (; k + 1 < kc; k += 2) {
            long a = wo + k * ROW;
            FloatVector b = FloatVector.broadcast(F, x[xo + k]);
            c0 = Halfs.bf16(p, a).fma(b, c0);
            c1 = Halfs.bf16(p, a + 2L * L).fma(b, c1);
            b = FloatVector.broadcast(F, x[xo + k + 1]);
            d0 = Halfs.bf16(p, a + ROW).fma(b, d0);
            d1 = Halfs.bf16(p, a + ROW + 2L * L).fma(b, d1);
        }
        if (k < kc) {
            long a = wo + k * ROW;
            FloatVector b = FloatVector.broadcast(F, x[xo + k]);
            c0 = Halfs.bf16(p, a).fma(b, c0);
            c1 = Halfs.bf16(p, a + 2L * L).fma(b, c1);
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
