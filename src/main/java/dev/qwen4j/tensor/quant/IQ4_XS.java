package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.F;
import static dev.qwen4j.tensor.quant.Blocks.I;
import static dev.qwen4j.tensor.quant.Blocks.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_iq4_xs: 256 values in 8 sub-blocks of 32: {f16 d; uint16 scales_h; uint8 scales_l[4]; uint8 qs[128]}.
 * Sub-block b has the 6-bit scale ls = (nibble b of scales_l) | (bits 2b..2b+1 of scales_h) &lt;&lt; 4 and values
 * (d·(ls − 32))·LEVELS[code], its 32 codes packed as in {@link IQ4_NL} in qs[16b ..]: 4.25 bits per weight.
 */
public final class IQ4_XS {
    private IQ4_XS() {}

    public static final int QK = 256;
    public static final int BYTES = 136;
    private static final ValueLayout.OfShort U16 = Blocks.I16;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    /** Sub-block b's scale d·(ls − 32) of the block at off. */
    static float subScale(MemorySegment src, long off, float d, int b) {
        int lo = (Blocks.u8(src, off + 4 + b / 2) >>> 4 * (b % 2)) & 0x0F;
        int hi = (src.get(U16, off + 2) >>> 2 * b) & 3;
        return d * ((lo | hi << 4) - 32);
    }

    /**
     * llama.cpp's quantize_iq4_xs without an importance matrix: each sub-block's best scale
     * ({@link NonLinear4#blockScale}), then d = −(the scale of largest magnitude)/32, the sub-block scales
     * rounded to 6-bit multiples of d and the codes picked again for them.
     */
    public static void quantizeRow(float[] x, int xOff, int n, MemorySegment dst, long off) {
        byte[] codes = new byte[QK];
        float[] scales = new float[QK / 32];
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            int xb = xOff + b * QK;
            float maxScale = 0, amaxScale = 0;
            for (int s = 0; s < QK / 32; s++) {
                scales[s] = NonLinear4.blockScale(x, xb + 32 * s, codes, 32 * s);
                if (Math.abs(scales[s]) > amaxScale) {
                    amaxScale = Math.abs(scales[s]);
                    maxScale = scales[s];
                }
            }
            float d = -maxScale / 32;
            Blocks.putF16(dst, off, d);
            float id = d != 0 ? 1 / d : 0f;
            int scalesH = 0;
            for (int s = 0; s < QK / 32; s++) {
                int l = Math.max(-32, Math.min(31, Blocks.nearestInt(id * scales[s])));
                float dl = d * l;
                float idl = dl != 0 ? 1 / dl : 0f;
                NonLinear4.nearestLevels(x, xb + 32 * s, idl, codes, 32 * s, 32);
                l += 32;
                long lo = off + 4 + s / 2;
                int nibble = l & 0x0F;
                dst.set(Blocks.I8, lo, (byte) (s % 2 == 0 ? nibble : Blocks.u8(dst, lo) | nibble << 4));
                scalesH |= (l >>> 4) << 2 * s;
            }
            dst.set(U16, off + 2, (short) scalesH);
            for (int s = 0; s < QK / 32; s++) NonLinear4.pack(codes, 32 * s, dst, off + 8 + 16 * s);
        }
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off);
            for (int s = 0; s < QK / 32; s++) {
                float dl = subScale(src, off, d, s);
                int yb = yOff + b * QK + 32 * s;
                long qs = off + 8 + 16 * s;
                for (int j = 0; j < 16; j++) {
                    int q = Blocks.u8(src, qs + j);
                    y[yb + j] = dl * NonLinear4.LEVELS[q & 0x0F];
                    y[yb + j + 16] = dl * NonLinear4.LEVELS[q >>> 4];
                }
            }
        }
    }

    /** Vector twin of {@link #dequantizeRow}, bit-identical. */
    public static void dequantizeRowVector(MemorySegment src, long off, float[] y, int yOff, int n) {
        if (!NonLinear4.VECTOR) {
            dequantizeRow(src, off, y, yOff, n);
            return;
        }
        int l = I.length();
        for (int c = 0; c < n; c += QK, off += BYTES) {
            float d = Blocks.f16(src, off);
            for (int s = 0; s < QK / 32; s++) {
                FloatVector dl = FloatVector.broadcast(F, subScale(src, off, d, s));
                long qs = off + 8 + 16 * s;
                int yb = yOff + c + 32 * s;
                for (int i = 0; i < 16; i += l) {
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(IQ4_NL.CODE_BYTES, src, qs + i, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    Blocks.intsToFloats(NonLinear4.levels(q.and(0x0F))).mul(dl).intoArray(y, yb + i);
                    Blocks.intsToFloats(NonLinear4.levels(q.lanewise(VectorOperators.LSHR, 4))).mul(dl).intoArray(y, yb + 16 + i);
                }
            }
        }
    }

    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        int s = (i % QK) / 32, j = i % 32;
        int q = Blocks.u8(src, bo + 8 + 16 * s + (j % 16));
        return subScale(src, bo, Blocks.f16(src, bo), s) * NonLinear4.LEVELS[j < 16 ? q & 0x0F : q >>> 4];
    }

    /** Σ W[c]·x[xo + c]: per sub-block Σ level·x in f32 lanes, times its scale. */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        if (!NonLinear4.VECTOR) return dotScalar(w, off, cols, x, xo);
        int l = I.length();
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            float d = Blocks.f16(w, off);
            for (int s = 0; s < QK / 32; s++) {
                FloatVector t = FloatVector.zero(F);
                long qs = off + 8 + 16 * s;
                int xb = xo + c + 32 * s;
                for (int i = 0; i < 16; i += l) {
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(IQ4_NL.CODE_BYTES, w, qs + i, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    t = Blocks.intsToFloats(NonLinear4.levels(q.and(0x0F))).fma(FloatVector.fromArray(F, x, xb + i), t);
                    t = Blocks.intsToFloats(NonLinear4.levels(q.lanewise(VectorOperators.LSHR, 4))).fma(FloatVector.fromArray(F, x, xb + 16 + i), t);
                }
                acc = t.fma(FloatVector.broadcast(F, subScale(w, off, d, s)), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Decode kernel for 16-lane f32 vectors: per sub-block the 16 values dl·level are one multiply, and the
     * nibbles select from them, as {@link IQ4_NL#matvec16}.
     */
    static void matvec16(MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo, float[] out, int oo) {
        for (int r = from; r < to; r++) {
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            long off = r * rowBytes;
            for (int c = 0; c < cols; c += QK, off += BYTES) {
                float d = Blocks.f16(w, off);
                int scalesH = w.get(U16, off + 2);
                int scalesL = w.get(U32, off + 4);
                for (int s = 0; s < QK / 32; s++) {
                    float dl = d * ((((scalesL >>> 4 * s) & 0x0F) | ((scalesH >>> 2 * s) & 3) << 4) - 32);
                    IntVector table = NonLinear4.FLOAT_LEVELS.mul(dl).reinterpretAsInts();
                    IntVector q = ((IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + 8 + 16 * s, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0));
                    int xb = xo + c + 32 * s;
                    acc0 = q.selectFrom(table).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb), acc0);
                    acc1 = q.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 16), acc1);
                }
            }
            out[oo + r] = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
    }

    /**
     * {@link #matvec16} for two activation vectors (x at xo and at yo; results to out[oo + r] and out[oy + r]): each
     * sub-block's scaled level table and its two permutes serve both.
     */
    static void matvec16Two(MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo, int yo,
                            float[] out, int oo, int oy) {
        for (int r = from; r < to; r++) {
            FloatVector ax0 = FloatVector.zero(F), ax1 = ax0, ay0 = ax0, ay1 = ax0;
            long off = r * rowBytes;
            for (int c = 0; c < cols; c += QK, off += BYTES) {
                float d = Blocks.f16(w, off);
                int scalesH = w.get(U16, off + 2);
                int scalesL = w.get(U32, off + 4);
                for (int s = 0; s < QK / 32; s++) {
                    float dl = d * ((((scalesL >>> 4 * s) & 0x0F) | ((scalesH >>> 2 * s) & 3) << 4) - 32);
                    IntVector table = NonLinear4.FLOAT_LEVELS.mul(dl).reinterpretAsInts();
                    IntVector q = ((IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + 8 + 16 * s, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0));
                    FloatVector lo = q.selectFrom(table).reinterpretAsFloats();
                    FloatVector hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats();
                    int xb = xo + c + 32 * s, yb = yo + c + 32 * s;
                    ax0 = lo.fma(FloatVector.fromArray(F, x, xb), ax0);
                    ax1 = hi.fma(FloatVector.fromArray(F, x, xb + 16), ax1);
                    ay0 = lo.fma(FloatVector.fromArray(F, x, yb), ay0);
                    ay1 = hi.fma(FloatVector.fromArray(F, x, yb + 16), ay1);
                }
            }
            out[oo + r] = ax0.add(ax1).reduceLanes(VectorOperators.ADD);
            out[oy + r] = ay0.add(ay1).reduceLanes(VectorOperators.ADD);
        }
    }

    public static float dotScalar(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            float d = Blocks.f16(w, off);
            for (int s = 0; s < QK / 32; s++) {
                float t = 0f;
                long qs = off + 8 + 16 * s;
                int xb = xo + c + 32 * s;
                for (int j = 0; j < 16; j++) {
                    int q = Blocks.u8(w, qs + j);
                    t += NonLinear4.LEVELS[q & 0x0F] * x[xb + j] + NonLinear4.LEVELS[q >>> 4] * x[xb + 16 + j];
                }
                acc += t * subScale(w, off, d, s);
            }
        }
        return acc;
    }
}
