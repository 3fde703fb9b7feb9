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
 * ggml block_q4_0: {f16 d; uint8 qs[16]}; value j (j &lt; 16) is the low nibble of qs[j], value 16 + j its
 * high nibble, each as d·(q − 8).
 */
public final class Q4_0 {
    private Q4_0() {}

    public static final int QK = 32;
    public static final int BYTES = 18;

    /**
     * llama.cpp's quantize_row_q4_0_ref: d = m/−8 where m is the (first) value of largest magnitude, so m
     * itself maps to q = 0 and the opposite sign gets the 8 levels up to +7.
     */
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
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            Blocks.putF16(dst, off, d);
            for (int j = 0; j < QK / 2; j++) {
                // (int8_t)(v + 8.5f) truncates toward zero, like the C cast
                int q0 = Math.min(15, (byte) (int) (x[xb + j] * id + 8.5f)) & 0xFF;
                int q1 = Math.min(15, (byte) (int) (x[xb + QK / 2 + j] * id + 8.5f)) & 0xFF;
                dst.set(I8, off + 2 + j, (byte) (q0 | (q1 << 4)));
            }
        }
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off);
            int yb = yOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(src, off + 2 + j);
                y[yb + j] = ((q & 0x0F) - 8) * d;
                y[yb + j + QK / 2] = ((q >>> 4) - 8) * d;
            }
        }
    }

    /** Vector twin of {@link #dequantizeRow}, bit-identical. */
    public static void dequantizeRowVector(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int c = 0; c < n; c += QK, off += BYTES) {
            FloatVector d = FloatVector.broadcast(F, Blocks.f16(src, off));
            for (int i = 0; i < QK / 2; i += L) {
                IntVector q = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, src, off + 2 + i, LE));
                Blocks.intsToFloats(q.and(0x0F).sub(8)).mul(d).intoArray(y, yOff + c + i);
                Blocks.intsToFloats(q.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(8)).mul(d).intoArray(y, yOff + c + QK / 2 + i);
            }
        }
    }

    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        int j = i % QK;
        int q = Blocks.u8(src, bo + 2 + (j % 16));
        int v = j < 16 ? q & 0x0F : q >>> 4;
        return (v - 8) * Blocks.f16(src, bo);
    }

    /** Σ W[c]·x[xo + c]: bytes are widened to int lanes, split into nibbles and re-centred, then converted to f32. */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            FloatVector s = FloatVector.zero(F);
            for (int i = 0; i < QK / 2; i += L) {
                IntVector q = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, w, off + 2 + i, LE));
                FloatVector lo = Blocks.intsToFloats(q.and(0x0F).sub(8));
                FloatVector hi = Blocks.intsToFloats(q.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(8));
                s = lo.fma(FloatVector.fromArray(F, x, xo + c + i), s);
                s = hi.fma(FloatVector.fromArray(F, x, xo + c + QK / 2 + i), s);
            }
            acc = s.fma(FloatVector.broadcast(F, Blocks.f16(w, off)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Decode kernel for 16-lane f32 vectors: out[oo + r] = Σ W[r, c]·x[xo + c] for rows [from, to). A block
     * has only 16 possible values, d·(q − 8): they are one 16-lane multiply, and the nibbles, widened to int
     * lanes, select from that table directly (the permute reads only the low 4 bits, so the high nibbles
     * need just a shift) instead of being converted to f32 and scaled: 15% faster than {@link #dot} in an
     * interleaved A/B. See {@link RowKernels} for why the rows loop lives here.
     */
    static void matvec16(MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo, float[] out, int oo) {
        for (int r = from; r < to; r++) {
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            long off = r * rowBytes;
            for (int c = 0; c < cols; c += QK, off += BYTES) {
                float d = Blocks.f16(w, off);
                IntVector table = LEVELS.mul(d).reinterpretAsInts();
                IntVector q = ((IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + 2, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0));
                acc0 = q.selectFrom(table).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xo + c), acc0);
                acc1 = q.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xo + c + 16), acc1);
            }
            out[oo + r] = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
    }

    private static final FloatVector LEVELS = FloatVector.fromArray(F, new float[] {-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7}, 0);

    public static float dotScalar(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            float s = 0f;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(w, off + 2 + j);
                s += ((q & 0x0F) - 8) * x[xo + c + j] + ((q >>> 4) - 8) * x[xo + c + QK / 2 + j];
            }
            acc += s * Blocks.f16(w, off);
        }
        return acc;
    }
}
