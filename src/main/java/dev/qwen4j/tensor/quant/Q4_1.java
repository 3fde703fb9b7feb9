package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.B;
import static dev.qwen4j.tensor.quant.Blocks.F;
import static dev.qwen4j.tensor.quant.Blocks.I8;
import static dev.qwen4j.tensor.quant.Blocks.L;
import static dev.qwen4j.tensor.quant.Blocks.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q4_1 (type 3): {f16 d; f16 m; uint8 qs[16]}; value j (j &lt; 16) is the low nibble of qs[j],
 * value 16 + j its high nibble, each as q·d + m.
 */
public final class Q4_1 {
    private Q4_1() {}

    public static final int QK = 32;
    public static final int BYTES = 20;
    private static final int QS = 4;

    /**
     * llama.cpp's quantize_row_q4_1_ref: d = (max − min)/15 and levels (x − min)/d + 0.5 truncated, both
     * from the unrounded f32 d and min (only the stored copies are f16).
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
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Blocks.putF16(dst, off, d);
            Blocks.putF16(dst, off + 2, min);
            for (int j = 0; j < QK / 2; j++) {
                // (int8_t)(v + 0.5f) truncates toward zero; MIN(15, ·) then stored as uint8_t, as in C
                int q0 = Math.min(15, (byte) cvtt((x[xb + j] - min) * id + 0.5f)) & 0xFF;
                int q1 = Math.min(15, (byte) cvtt((x[xb + QK / 2 + j] - min) * id + 0.5f)) & 0xFF;
                dst.set(I8, off + QS + j, (byte) (q0 | (q1 << 4)));
            }
        }
    }

    /**
     * C's float to int conversion as x86 performs it (cvttss2si): truncation toward zero, and 0x80000000 for
     * NaN or out-of-range values where Java's cast would saturate. Only degenerate blocks (a range so small
     * that 1/d overflows) reach the difference.
     */
    static int cvtt(float v) {
        return v > -2147483904f && v < 2147483648f ? (int) v : Integer.MIN_VALUE;
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off), m = Blocks.f16(src, off + 2);
            int yb = yOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(src, off + QS + j);
                y[yb + j] = (q & 0x0F) * d + m;
                y[yb + j + QK / 2] = (q >>> 4) * d + m;
            }
        }
    }

    /** Vector twin of {@link #dequantizeRow}, bit-identical (q·d then + m, no FMA). */
    public static void dequantizeRowVector(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int c = 0; c < n; c += QK, off += BYTES) {
            FloatVector d = FloatVector.broadcast(F, Blocks.f16(src, off));
            FloatVector m = FloatVector.broadcast(F, Blocks.f16(src, off + 2));
            for (int i = 0; i < QK / 2; i += L) {
                IntVector q = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, src, off + QS + i, LE));
                Blocks.intsToFloats(q.and(0x0F)).mul(d).add(m).intoArray(y, yOff + c + i);
                Blocks.intsToFloats(q.lanewise(VectorOperators.ASHR, 4).and(0x0F)).mul(d).add(m).intoArray(y, yOff + c + QK / 2 + i);
            }
        }
    }

    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        int j = i % QK;
        int q = Blocks.u8(src, bo + QS + (j % 16));
        int v = j < 16 ? q & 0x0F : q >>> 4;
        return v * Blocks.f16(src, bo) + Blocks.f16(src, bo + 2);
    }

    /**
     * Σ W[c]·x[xo + c] = Σ_b d_b·Σ q·x + m_b·Σ x: the nibble products and the plain activation sums are
     * accumulated per block in vectors, and d and m applied once per 32 values.
     */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F), accMin = FloatVector.zero(F);
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            FloatVector s = FloatVector.zero(F), sx = FloatVector.zero(F);
            for (int i = 0; i < QK / 2; i += L) {
                IntVector q = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, w, off + QS + i, LE));
                FloatVector xa = FloatVector.fromArray(F, x, xo + c + i);
                FloatVector xb = FloatVector.fromArray(F, x, xo + c + QK / 2 + i);
                s = Blocks.intsToFloats(q.and(0x0F)).fma(xa, s);
                s = Blocks.intsToFloats(q.lanewise(VectorOperators.ASHR, 4).and(0x0F)).fma(xb, s);
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
            float s = 0f, sx = 0f;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(w, off + QS + j);
                float x0 = x[xo + c + j], x1 = x[xo + c + QK / 2 + j];
                s += (q & 0x0F) * x0 + (q >>> 4) * x1;
                sx += x0 + x1;
            }
            acc += s * Blocks.f16(w, off) + sx * Blocks.f16(w, off + 2);
        }
        return acc;
    }
}
