package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.B;
import static dev.qwen4j.tensor.quant.Blocks.F;
import static dev.qwen4j.tensor.quant.Blocks.I8;
import static dev.qwen4j.tensor.quant.Blocks.L;
import static dev.qwen4j.tensor.quant.Blocks.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** ggml block_q8_0: {f16 d; int8 qs[32]}, value = qs·d. */
public final class Q8_0 {
    private Q8_0() {}

    public static final int QK = 32;
    public static final int BYTES = 34;

    /** llama.cpp's quantize_row_q8_0_ref: d = max|x|/127, q = roundf(x/d). */
    public static void quantizeRow(float[] x, int xOff, int n, MemorySegment dst, long off) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            int xb = xOff + b * QK;
            float amax = 0f;
            for (int j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[xb + j]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Blocks.putF16(dst, off, d);
            for (int j = 0; j < QK; j++) dst.set(I8, off + 2 + j, (byte) Blocks.roundHalfAway(x[xb + j] * id));
        }
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off);
            for (int j = 0; j < QK; j++) y[yOff + b * QK + j] = src.get(I8, off + 2 + j) * d;
        }
    }

    /** Vector twin of {@link #dequantizeRow}, bit-identical (q·d is one rounding either way). */
    public static void dequantizeRowVector(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int c = 0; c < n; c += QK, off += BYTES) {
            FloatVector d = FloatVector.broadcast(F, Blocks.f16(src, off));
            for (int i = 0; i < QK; i += L) {
                Blocks.bytesToFloats(ByteVector.fromMemorySegment(B, src, off + 2 + i, LE)).mul(d).intoArray(y, yOff + c + i);
            }
        }
    }

    /** Element i of the row starting at off. */
    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        return src.get(I8, bo + 2 + i % QK) * Blocks.f16(src, bo);
    }

    /** Σ W[c]·x[xo + c] over one row: the int8 lanes are widened to f32 and scaled once per block. */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            FloatVector s = FloatVector.zero(F);
            for (int i = 0; i < QK; i += L) {
                FloatVector q = Blocks.bytesToFloats(ByteVector.fromMemorySegment(B, w, off + 2 + i, LE));
                s = q.fma(FloatVector.fromArray(F, x, xo + c + i), s);
            }
            acc = s.fma(FloatVector.broadcast(F, Blocks.f16(w, off)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Rows wider than this go through {@link #fourRows16}. Up to here a row's f32 activations (16 KB) stay in
     * L1 while the row streams past; beyond, every activation load goes to L2, and a row at a time ran at ~60%
     * of the narrow rows' bandwidth. Measured (2 threads, matrices from DRAM, GB/s row at a time → four rows):
     * 2560 × 4096 29 → 23, 2560 × 5120 21 → 24, 2048 × 6144 19 → 23, 2560 × 9728 17 → 25.
     */
    static final int FOUR_ROWS_ABOVE_COLS = 4096;

    /**
     * Decode kernel for 16-lane f32 vectors: out[oo + r] = Σ W[r, c]·x[xo + c] for rows [from, to), two
     * blocks in flight with separate accumulators (rows wider than {@link #FOUR_ROWS_ABOVE_COLS}: four rows
     * at a time). Arithmetic as in {@link #dot}; see {@link RowKernels} for why the rows loop lives here.
     */
    static void matvec16(MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo, float[] out, int oo) {
        if (cols > FOUR_ROWS_ABOVE_COLS) {
            int end = from + (to - from) / 4 * 4;
            fourRows16(w, rowBytes, cols, from, end, x, xo, out, oo);
            from = end;
        }
        for (int r = from; r < to; r++) {
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            long off = r * rowBytes;
            int c = 0;
            for (; c + 2 * QK <= cols; c += 2 * QK, off += 2 * BYTES) {
                int xb = xo + c;
                FloatVector s0 = Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + 2, LE))
                        .mul(FloatVector.fromArray(F, x, xb));
                s0 = Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + 18, LE))
                        .fma(FloatVector.fromArray(F, x, xb + 16), s0);
                FloatVector s1 = Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + BYTES + 2, LE))
                        .mul(FloatVector.fromArray(F, x, xb + 32));
                s1 = Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + BYTES + 18, LE))
                        .fma(FloatVector.fromArray(F, x, xb + 48), s1);
                acc0 = s0.fma(FloatVector.broadcast(F, Blocks.f16(w, off)), acc0);
                acc1 = s1.fma(FloatVector.broadcast(F, Blocks.f16(w, off + BYTES)), acc1);
            }
            float tail = c < cols ? tailBlock(w, off, x, xo + c) : 0f; // as in matvec16Two
            out[oo + r] = acc0.add(acc1).reduceLanes(VectorOperators.ADD) + tail;
        }
    }

    /**
     * {@link #matvec16} for two activation vectors (x at xo and at yo; results to out[oo + r] and out[oy + r]): each
     * block's codes are widened to f32 once for both. Two blocks per step, as in matvec16; that also keeps the
     * bytecode above C2's inlining limit (see {@link RowKernels}: a one-block version of 243 bytes was inlined into
     * its caller, where the Vector API intrinsics can fail).
     */
    /**
     * Widest rows for {@link #matvec16Two}: two vectors of f32 activations (8 KB each here) and the row stream must
     * share L1. 2 threads, two vectors: 3072 × 1024 136 µs against 2 × 109 one at a time, 2560 × 2048 220–231 against
     * 2 × 181, but 1024 × 3072 241 against 2 × 102.
     */
    static final int TWO_VECTORS_MAX_COLS = 2048;

    static void matvec16Two(MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo, int yo,
                            float[] out, int oo, int oy) {
        for (int r = from; r < to; r++) {
            FloatVector ax = FloatVector.zero(F), ay = ax, bx = ax, by = ax;
            long off = r * rowBytes;
            int c = 0;
            for (; c + 2 * QK <= cols; c += 2 * QK, off += 2 * BYTES) {
                FloatVector q0 = Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + 2, LE));
                FloatVector q1 = Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + 18, LE));
                FloatVector q2 = Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + BYTES + 2, LE));
                FloatVector q3 = Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + BYTES + 18, LE));
                FloatVector d0 = FloatVector.broadcast(F, Blocks.f16(w, off)), d1 = FloatVector.broadcast(F, Blocks.f16(w, off + BYTES));
                int xc = xo + c, yc = yo + c;
                ax = q1.fma(FloatVector.fromArray(F, x, xc + 16), q0.mul(FloatVector.fromArray(F, x, xc))).fma(d0, ax);
                ay = q1.fma(FloatVector.fromArray(F, x, yc + 16), q0.mul(FloatVector.fromArray(F, x, yc))).fma(d0, ay);
                bx = q3.fma(FloatVector.fromArray(F, x, xc + 48), q2.mul(FloatVector.fromArray(F, x, xc + 32))).fma(d1, bx);
                by = q3.fma(FloatVector.fromArray(F, x, yc + 48), q2.mul(FloatVector.fromArray(F, x, yc + 32))).fma(d1, by);
            }
            // An odd last block (cols an odd number of blocks) sums on its own: when it updated the loop's
            // accumulators, its code (cold, its helpers not inlined) left the compiled loop boxing them in a JVM
            // that had run many other kernels (~200 B a step, DecodeAllocationTest's history-dependent case).
            float tailX = 0, tailY = 0;
            if (c < cols) {
                tailX = tailBlock(w, off, x, xo + c);
                tailY = tailBlock(w, off, x, yo + c);
            }
            out[oo + r] = ax.add(bx).reduceLanes(VectorOperators.ADD) + tailX;
            out[oy + r] = ay.add(by).reduceLanes(VectorOperators.ADD) + tailY;
        }
    }

    /** One block's d · Σ q·x: the odd last block of a row in {@link #matvec16} and {@link #matvec16Two}. */
    private static float tailBlock(MemorySegment w, long off, float[] x, int xc) {
        FloatVector q0 = Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + 2, LE));
        FloatVector q1 = Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + 18, LE));
        return q1.fma(FloatVector.fromArray(F, x, xc + 16), q0.mul(FloatVector.fromArray(F, x, xc))).reduceLanes(VectorOperators.ADD)
                * Blocks.f16(w, off);
    }

    /**
     * {@link #matvec16} four rows at a time ((to − from) a multiple of 4): each activation load serves four rows,
     * which for wide rows quarters the activation traffic from L2.
     */
    private static void fourRows16(MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo, float[] out, int oo) {
        for (int r = from; r < to; r += 4) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            long p0 = r * rowBytes, p1 = p0 + rowBytes, p2 = p1 + rowBytes, p3 = p2 + rowBytes;
            for (int c = 0; c < cols; c += QK, p0 += BYTES, p1 += BYTES, p2 += BYTES, p3 += BYTES) {
                FloatVector x0 = FloatVector.fromArray(F, x, xo + c), x1 = FloatVector.fromArray(F, x, xo + c + 16);
                a0 = blockDot(w, p0, x0, x1).fma(FloatVector.broadcast(F, Blocks.f16(w, p0)), a0);
                a1 = blockDot(w, p1, x0, x1).fma(FloatVector.broadcast(F, Blocks.f16(w, p1)), a1);
                a2 = blockDot(w, p2, x0, x1).fma(FloatVector.broadcast(F, Blocks.f16(w, p2)), a2);
                a3 = blockDot(w, p3, x0, x1).fma(FloatVector.broadcast(F, Blocks.f16(w, p3)), a3);
            }
            out[oo + r] = a0.reduceLanes(VectorOperators.ADD);
            out[oo + r + 1] = a1.reduceLanes(VectorOperators.ADD);
            out[oo + r + 2] = a2.reduceLanes(VectorOperators.ADD);
            out[oo + r + 3] = a3.reduceLanes(VectorOperators.ADD);
        }
    }

    /** The lane-wise products q·x of the block at off (x0: its first 16 activations, x1: the next 16), unscaled. */
    private static FloatVector blockDot(MemorySegment w, long off, FloatVector x0, FloatVector x1) {
        return Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + 18, LE))
                .fma(x1, Blocks.bytesToFloats(ByteVector.fromMemorySegment(RowKernels.B128, w, off + 2, LE)).mul(x0));
    }

    /** Scalar twin of {@link #dot}. */
    public static float dotScalar(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            float s = 0f;
            for (int i = 0; i < QK; i++) s += w.get(I8, off + 2 + i) * x[xo + c + i];
            acc += s * Blocks.f16(w, off);
        }
        return acc;
    }
}
