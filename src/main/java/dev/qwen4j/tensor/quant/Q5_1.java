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
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q5_1 (type 7): {f16 d; f16 m; uint8 qh[4]; uint8 qs[16]}. qh is a little-endian uint32 of
 * fifth bits: value j (j &lt; 16) is the low nibble of qs[j] with bit j of qh on top, value 16 + j the high
 * nibble with bit 16 + j; each is q·d + m.
 */
public final class Q5_1 {
    private Q5_1() {}

    public static final int QK = 32;
    public static final int BYTES = 24;
    private static final int QH = 4, QS = 8;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    /** 0, 1, …, L−1: each lane's shift to its own bit of qh. */
    private static final IntVector LANE = IntVector.zero(I).addIndex(1);

    /**
     * llama.cpp's quantize_row_q5_1_ref: d = (max − min)/31, levels (x − min)/d + 0.5 converted straight to
     * uint8_t (no clamp: the top value lands on 31), from the unrounded f32 d and min.
     */
    public static void quantizeRow(float[] x, int xOff, int n, MemorySegment dst, long off) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            int xb = xOff + b * QK;
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = x[xb + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Blocks.putF16(dst, off, d);
            Blocks.putF16(dst, off + 2, min);
            int qh = 0;
            for (int j = 0; j < QK / 2; j++) {
                // (uint8_t)(float) goes through a 32-bit truncating conversion, then keeps the low byte
                int q0 = Q4_1.cvtt((x[xb + j] - min) * id + 0.5f) & 0xFF;
                int q1 = Q4_1.cvtt((x[xb + QK / 2 + j] - min) * id + 0.5f) & 0xFF;
                dst.set(I8, off + QS + j, (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4)));
                qh |= ((q0 & 0x10) >>> 4) << j;
                qh |= ((q1 & 0x10) >>> 4) << (j + QK / 2);
            }
            dst.set(I32, off + QH, qh);
        }
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off), m = Blocks.f16(src, off + 2);
            int qh = src.get(I32, off + QH);
            int yb = yOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(src, off + QS + j);
                int q0 = (q & 0x0F) | (((qh >>> j) & 1) << 4);
                int q1 = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
                y[yb + j] = q0 * d + m;
                y[yb + j + QK / 2] = q1 * d + m;
            }
        }
    }

    /** The fifth bits of values [16·half + i, 16·half + i + L), at bit 4 of each int lane. */
    private static IntVector highBits(int qh, int bit) {
        return IntVector.broadcast(I, qh >>> bit).lanewise(VectorOperators.LSHR, LANE).lanewise(VectorOperators.LSHL, 4).and(0x10);
    }

    /** Vector twin of {@link #dequantizeRow}, bit-identical (q·d then + m, no FMA). */
    public static void dequantizeRowVector(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int c = 0; c < n; c += QK, off += BYTES) {
            FloatVector d = FloatVector.broadcast(F, Blocks.f16(src, off));
            FloatVector m = FloatVector.broadcast(F, Blocks.f16(src, off + 2));
            int qh = src.get(I32, off + QH);
            for (int i = 0; i < QK / 2; i += L) {
                IntVector q = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, src, off + QS + i, LE));
                Blocks.intsToFloats(q.and(0x0F).or(highBits(qh, i))).mul(d).add(m).intoArray(y, yOff + c + i);
                Blocks.intsToFloats(q.lanewise(VectorOperators.ASHR, 4).and(0x0F).or(highBits(qh, QK / 2 + i)))
                        .mul(d).add(m).intoArray(y, yOff + c + QK / 2 + i);
            }
        }
    }

    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        int j = i % QK;
        int q = Blocks.u8(src, bo + QS + (j % 16));
        int v = (j < 16 ? q & 0x0F : q >>> 4) | (((src.get(I32, bo + QH) >>> j) & 1) << 4);
        return v * Blocks.f16(src, bo) + Blocks.f16(src, bo + 2);
    }

    /**
     * Σ W[c]·x[xo + c] = Σ_b d_b·Σ q·x + m_b·Σ x: the fifth bits are shifted into place per lane from the
     * broadcast qh, the 5-bit products and plain activation sums accumulated per block in vectors.
     */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F), accMin = FloatVector.zero(F);
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            int qh = w.get(I32, off + QH);
            FloatVector s = FloatVector.zero(F), sx = FloatVector.zero(F);
            for (int i = 0; i < QK / 2; i += L) {
                IntVector q = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, w, off + QS + i, LE));
                FloatVector xa = FloatVector.fromArray(F, x, xo + c + i);
                FloatVector xb = FloatVector.fromArray(F, x, xo + c + QK / 2 + i);
                s = Blocks.intsToFloats(q.and(0x0F).or(highBits(qh, i))).fma(xa, s);
                s = Blocks.intsToFloats(q.lanewise(VectorOperators.ASHR, 4).and(0x0F).or(highBits(qh, QK / 2 + i))).fma(xb, s);
                sx = sx.add(xa).add(xb);
            }
            acc = s.fma(FloatVector.broadcast(F, Blocks.f16(w, off)), acc);
            accMin = sx.fma(FloatVector.broadcast(F, Blocks.f16(w, off + 2)), accMin);
        }
        return acc.add(accMin).reduceLanes(VectorOperators.ADD);
    }

    public static float dotScalar(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            int qh = w.get(I32, off + QH);
            float s = 0f, sx = 0f;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(w, off + QS + j);
                float x0 = x[xo + c + j], x1 = x[xo + c + QK / 2 + j];
                s += ((q & 0x0F) | (((qh >>> j) & 1) << 4)) * x0 + ((q >>> 4) | (((qh >>> (j + 16)) & 1) << 4)) * x1;
                sx += x0 + x1;
            }
            acc += s * Blocks.f16(w, off) + sx * Blocks.f16(w, off + 2);
        }
        return acc;
    }
}
