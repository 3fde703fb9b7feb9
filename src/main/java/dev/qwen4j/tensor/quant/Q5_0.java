package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.B;
import static dev.qwen4j.tensor.quant.Blocks.F;
import static dev.qwen4j.tensor.quant.Blocks.I;
import static dev.qwen4j.tensor.quant.Blocks.I8;
import static dev.qwen4j.tensor.quant.Blocks.L;
import static dev.qwen4j.tensor.quant.Blocks.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q5_0: {f16 d; uint8 qh[4]; uint8 qs[16]}. Value j (j &lt; 16) is the low nibble of qs[j] with
 * bit j of the little-endian uint32 qh as its fifth bit; value 16 + j is the high nibble with bit 16 + j;
 * each is d·(q − 16).
 */
public final class Q5_0 {
    private Q5_0() {}

    public static final int QK = 32;
    public static final int BYTES = 22;
    private static final int QH = 2, QS = 6;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    /** llama.cpp's quantize_row_q5_0_ref: d = m/−16 for the (first) value m of largest magnitude. */
    public static void quantizeRow(float[] x, int xOff, int n, MemorySegment dst, long off) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            int xb = xOff + b * QK;
            float amax = 0f, max = 0f;
            for (int j = 0; j < QK; j++) {
                float v = x[xb + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Blocks.putF16(dst, off, d);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                // (int8_t)(v + 16.5f) truncates toward zero, like the C cast; MIN(31, ·) then stores a uint8
                int q0 = Math.min(31, (byte) (int) (x[xb + j] * id + 16.5f)) & 0xFF;
                int q1 = Math.min(31, (byte) (int) (x[xb + QK / 2 + j] * id + 16.5f)) & 0xFF;
                dst.set(I8, off + QS + j, (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4)));
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + QK / 2);
            }
            dst.set(I32, off + QH, qh);
        }
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off);
            int qh = src.get(I32, off + QH);
            int yb = yOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(src, off + QS + j);
                y[yb + j] = (((q & 0x0F) | (((qh >>> j) & 1) << 4)) - 16) * d;
                y[yb + j + QK / 2] = (((q >>> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16) * d;
            }
        }
    }

    /** Vector twin of {@link #dequantizeRow}, bit-identical: the fifth bits come from qh as lane masks. */
    public static void dequantizeRowVector(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int c = 0; c < n; c += QK, off += BYTES) {
            FloatVector d = FloatVector.broadcast(F, Blocks.f16(src, off));
            long qh = src.get(I32, off + QH) & 0xFFFFFFFFL;
            for (int i = 0; i < QK / 2; i += L) {
                IntVector q = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, src, off + QS + i, LE));
                IntVector lo = q.and(0x0F).lanewise(VectorOperators.OR, 16, VectorMask.fromLong(I, qh >>> i));
                IntVector hi = q.lanewise(VectorOperators.ASHR, 4).and(0x0F).lanewise(VectorOperators.OR, 16, VectorMask.fromLong(I, qh >>> (16 + i)));
                Blocks.intsToFloats(lo.sub(16)).mul(d).intoArray(y, yOff + c + i);
                Blocks.intsToFloats(hi.sub(16)).mul(d).intoArray(y, yOff + c + QK / 2 + i);
            }
        }
    }

    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        int j = i % QK;
        int q = Blocks.u8(src, bo + QS + (j % 16));
        int v = (j < 16 ? q & 0x0F : q >>> 4) | (((src.get(I32, bo + QH) >>> j) & 1) << 4);
        return (v - 16) * Blocks.f16(src, bo);
    }

    /** Σ W[c]·x[xo + c]: like {@link Q4_0#dot}, with qh's bits turned into lane masks that set the fifth bit. */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            long qh = w.get(I32, off + QH) & 0xFFFFFFFFL;
            FloatVector s = FloatVector.zero(F);
            for (int i = 0; i < QK / 2; i += L) {
                IntVector q = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, w, off + QS + i, LE));
                IntVector lo = q.and(0x0F).lanewise(VectorOperators.OR, 16, VectorMask.fromLong(I, qh >>> i));
                IntVector hi = q.lanewise(VectorOperators.ASHR, 4).and(0x0F).lanewise(VectorOperators.OR, 16, VectorMask.fromLong(I, qh >>> (16 + i)));
                s = Blocks.intsToFloats(lo.sub(16)).fma(FloatVector.fromArray(F, x, xo + c + i), s);
                s = Blocks.intsToFloats(hi.sub(16)).fma(FloatVector.fromArray(F, x, xo + c + QK / 2 + i), s);
            }
            acc = s.fma(FloatVector.broadcast(F, Blocks.f16(w, off)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Decode kernel for 16-lane f32 vectors: out[oo + r] = Σ W[r, c]·x[xo + c] for rows [from, to). A block has
     * 32 possible values d·(q − 16): two 16-lane tables that the 5-bit codes (nibble, fifth bit set through a
     * lane mask from qh) select from, as {@link Q4_0#matvec16} does with one.
     */
    static void matvec16(MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo, float[] out, int oo) {
        for (int r = from; r < to; r++) {
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            long off = r * rowBytes;
            for (int c = 0; c < cols; c += QK, off += BYTES) {
                float d = Blocks.f16(w, off);
                long qh = w.get(I32, off + QH) & 0xFFFFFFFFL;
                IntVector lowHalf = LOW_LEVELS.mul(d).reinterpretAsInts();
                IntVector highHalf = IOTA.mul(d).reinterpretAsInts();
                IntVector q = ((IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + QS, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0));
                IntVector lo = q.and(0x0F).lanewise(VectorOperators.OR, 16, VectorMask.fromLong(I, qh));
                IntVector hi = q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.OR, 16, VectorMask.fromLong(I, qh >>> 16));
                acc0 = lo.selectFrom(lowHalf, highHalf).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xo + c), acc0);
                acc1 = hi.selectFrom(lowHalf, highHalf).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xo + c + 16), acc1);
            }
            out[oo + r] = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
    }

    /** Codes 0..15 and 16..31 re-centred: −16..−1 and 0..15. */
    private static final FloatVector LOW_LEVELS = FloatVector.fromArray(F, new float[] {-16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1}, 0);
    private static final FloatVector IOTA = FloatVector.fromArray(F, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 0);

    public static float dotScalar(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            int qh = w.get(I32, off + QH);
            float s = 0f;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(w, off + QS + j);
                int lo = ((q & 0x0F) | (((qh >>> j) & 1) << 4)) - 16;
                int hi = ((q >>> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16;
                s += lo * x[xo + c + j] + hi * x[xo + c + QK / 2 + j];
            }
            acc += s * Blocks.f16(w, off);
        }
        return acc;
    }
}
