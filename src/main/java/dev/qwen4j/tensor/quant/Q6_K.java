package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.B;
import static dev.qwen4j.tensor.quant.Blocks.F;
import static dev.qwen4j.tensor.quant.Blocks.I8;
import static dev.qwen4j.tensor.quant.Blocks.L;
import static dev.qwen4j.tensor.quant.Blocks.LE;
import static dev.qwen4j.tensor.quant.Blocks.nearestInt;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml block_q6_K, 256 values as 16 sub-blocks of 16: {uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d}.
 * Each 128-value half uses 64 bytes of ql and 32 of qh: for l &lt; 32, values l, l+32, l+64, l+96 take the
 * low/high nibbles of ql[l], ql[l+32] and 2-bit fields 0..3 of qh[l]; value = d·scale·(q − 32).
 */
public final class Q6_K {
    private Q6_K() {}

    public static final int QK = 256;
    public static final int BYTES = 210;
    private static final int QH = 128, SCALES = 192, D = 208;
    static final int QH_OFFSET = QH, SCALES_OFFSET = SCALES, D_OFFSET = D;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);

    /** llama.cpp's quantize_row_q6_K_ref (no importance matrix). */
    public static void quantizeRow(float[] x, int xOff, int n, MemorySegment dst, long off) {
        int[] l = new int[QK];
        float[] scales = new float[QK / 16];
        byte[] sc = new byte[QK / 16];
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            int xb = xOff + b * QK;
            float maxScale = 0, maxAbsScale = 0;
            for (int ib = 0; ib < QK / 16; ib++) {
                float scale = KQuantSearch.makeQxQuants(16, 32, x, xb + 16 * ib, l, 16 * ib);
                scales[ib] = scale;
                if (Math.abs(scale) > maxAbsScale) {
                    maxAbsScale = Math.abs(scale);
                    maxScale = scale;
                }
            }
            if (maxAbsScale < KQuantSearch.GROUP_MAX_EPS) {
                dst.asSlice(off, BYTES).fill((byte) 0);
                continue;
            }
            float iscale = -128.f / maxScale;
            Blocks.putF16(dst, off + D, 1 / iscale);
            for (int ib = 0; ib < QK / 16; ib++) sc[ib] = (byte) Math.min(127, nearestInt(iscale * scales[ib]));
            MemorySegment.copy(sc, 0, dst, I8, off + SCALES, QK / 16);
            float dAll = Blocks.f16(dst, off + D);
            for (int j = 0; j < QK / 16; j++) {
                float d = dAll * sc[j];
                if (d == 0) continue; // keep the levels the search chose
                for (int i = 0; i < 16; i++) {
                    int q = nearestInt(x[xb + 16 * j + i] / d);
                    l[16 * j + i] = Math.max(-32, Math.min(31, q)) + 32;
                }
            }
            for (int j = 0; j < QK; j += 128) {
                long ql = off + j / 2, qh = off + QH + j / 4;
                for (int i = 0; i < 32; i++) {
                    int q1 = l[j + i] & 0xF, q2 = l[j + i + 32] & 0xF, q3 = l[j + i + 64] & 0xF, q4 = l[j + i + 96] & 0xF;
                    dst.set(I8, ql + i, (byte) (q1 | (q3 << 4)));
                    dst.set(I8, ql + i + 32, (byte) (q2 | (q4 << 4)));
                    dst.set(I8, qh + i, (byte) ((l[j + i] >> 4) | ((l[j + i + 32] >> 4) << 2)
                            | ((l[j + i + 64] >> 4) << 4) | ((l[j + i + 96] >> 4) << 6)));
                }
            }
        }
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off + D);
            for (int h = 0; h < 2; h++) {
                long ql = off + 64 * h, qh = off + QH + 32 * h, sc = off + SCALES + 8 * h;
                int yb = yOff + b * QK + 128 * h;
                for (int i = 0; i < 32; i++) {
                    int is = i / 16;
                    int a = Blocks.u8(src, ql + i), c = Blocks.u8(src, ql + i + 32), hb = Blocks.u8(src, qh + i);
                    y[yb + i] = d * src.get(I8, sc + is) * (((a & 0xF) | ((hb & 3) << 4)) - 32);
                    y[yb + i + 32] = d * src.get(I8, sc + is + 2) * (((c & 0xF) | (((hb >> 2) & 3) << 4)) - 32);
                    y[yb + i + 64] = d * src.get(I8, sc + is + 4) * (((a >> 4) | (((hb >> 4) & 3) << 4)) - 32);
                    y[yb + i + 96] = d * src.get(I8, sc + is + 6) * (((c >> 4) | (((hb >> 6) & 3) << 4)) - 32);
                }
            }
        }
    }

    /**
     * Vector twin of {@link #dequantizeRow}, bit-identical ((d·scale)·q either way). One block per call, with the
     * conversions written out rather than through the {@link Blocks} helpers: as one method with the helpers the
     * body outgrew C2's inlining budget, a helper call stayed out of line and boxed its vectors (12 KB allocated
     * per 4096-value row, 0.93 ns per value against 0.3 for Q4_K).
     */
    public static void dequantizeRowVector(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int c = 0; c < n; c += QK, off += BYTES) dequantizeBlock(src, off, y, yOff + c);
    }

    private static void dequantizeBlock(MemorySegment src, long off, float[] y, int yb0) {
        float d = Blocks.f16(src, off + D);
        for (int h = 0; h < 2; h++) {
            long ql = off + 64 * h, qh = off + QH + 32 * h;
            long sc = src.get(I64, off + SCALES + 8 * h);
            int yb = yb0 + 128 * h;
            for (int i = 0; i < 32; i += L) {
                int is = i / 16;
                IntVector a = (IntVector) ByteVector.fromMemorySegment(B, src, ql + i, LE).convertShape(VectorOperators.B2I, Blocks.I, 0);
                IntVector b = (IntVector) ByteVector.fromMemorySegment(B, src, ql + i + 32, LE).convertShape(VectorOperators.B2I, Blocks.I, 0);
                IntVector hb = (IntVector) ByteVector.fromMemorySegment(B, src, qh + i, LE).convertShape(VectorOperators.B2I, Blocks.I, 0);
                ((FloatVector) a.and(0xF).or(hb.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32).convertShape(VectorOperators.I2F, F, 0))
                        .mul(d * (byte) (sc >>> (8 * is))).intoArray(y, yb + i);
                ((FloatVector) b.and(0xF).or(hb.and(0xC).lanewise(VectorOperators.LSHL, 2)).sub(32).convertShape(VectorOperators.I2F, F, 0))
                        .mul(d * (byte) (sc >>> (8 * (is + 2)))).intoArray(y, yb + i + 32);
                ((FloatVector) a.lanewise(VectorOperators.ASHR, 4).and(0xF).or(hb.and(0x30)).sub(32).convertShape(VectorOperators.I2F, F, 0))
                        .mul(d * (byte) (sc >>> (8 * (is + 4)))).intoArray(y, yb + i + 64);
                ((FloatVector) b.lanewise(VectorOperators.ASHR, 4).and(0xF).or(hb.lanewise(VectorOperators.ASHR, 2).and(0x30)).sub(32)
                        .convertShape(VectorOperators.I2F, F, 0)).mul(d * (byte) (sc >>> (8 * (is + 6)))).intoArray(y, yb + i + 96);
            }
        }
    }

    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        int k = i % QK, h = k / 128, r = k % 128, quarter = r / 32, l = r % 32;
        int lo = Blocks.u8(src, bo + 64 * h + l + (quarter & 1) * 32);
        lo = quarter < 2 ? lo & 0xF : lo >> 4;
        int hi = (Blocks.u8(src, bo + QH + 32 * h + l) >> (2 * quarter)) & 3;
        int scale = src.get(I8, bo + SCALES + 8 * h + l / 16 + 2 * quarter);
        return Blocks.f16(src, bo + D) * scale * ((lo | (hi << 4)) - 32);
    }

    /** Σ W[c]·x[xo + c]: the four 6-bit planes of each 32-byte stripe are assembled in int lanes. */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) acc += superBlock(w, off, x, xo + c);
        return acc;
    }

    /** One 256-value block; returns a float so no vector crosses a (possibly not inlined) call. */
    private static float superBlock(MemorySegment w, long off, float[] x, int xb0) {
        float d = Blocks.f16(w, off + D);
        FloatVector acc = FloatVector.zero(F);
        for (int h = 0; h < 2; h++) {
            long ql = off + 64 * h, qh = off + QH + 32 * h;
            // this half's 8 int8 scales in one read rather than 4 bounds-checked byte reads per stripe
            long sc = w.get(I64, off + SCALES + 8 * h);
            int xb = xb0 + 128 * h;
            for (int i = 0; i < 32; i += L) {
                int is = i / 16;
                IntVector a = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, w, ql + i, LE));
                IntVector b = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, w, ql + i + 32, LE));
                IntVector hb = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, w, qh + i, LE));
                FloatVector f1 = Blocks.intsToFloats(a.and(0xF).or(hb.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32));
                FloatVector f2 = Blocks.intsToFloats(b.and(0xF).or(hb.and(0xC).lanewise(VectorOperators.LSHL, 2)).sub(32));
                FloatVector f3 = Blocks.intsToFloats(a.lanewise(VectorOperators.ASHR, 4).and(0xF).or(hb.and(0x30)).sub(32));
                FloatVector f4 = Blocks.intsToFloats(b.lanewise(VectorOperators.ASHR, 4).and(0xF)
                        .or(hb.lanewise(VectorOperators.ASHR, 2).and(0x30)).sub(32));
                acc = f1.mul(d * (byte) (sc >>> (8 * (is)))).fma(FloatVector.fromArray(F, x, xb + i), acc);
                acc = f2.mul(d * (byte) (sc >>> (8 * (is + 2)))).fma(FloatVector.fromArray(F, x, xb + i + 32), acc);
                acc = f3.mul(d * (byte) (sc >>> (8 * (is + 4)))).fma(FloatVector.fromArray(F, x, xb + i + 64), acc);
                acc = f4.mul(d * (byte) (sc >>> (8 * (is + 6)))).fma(FloatVector.fromArray(F, x, xb + i + 96), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Decode kernel for 16-lane f32 vectors (AVX-512): out[oo + r] = Σ W[r, c]·x[xo + c] for rows [from, to).
     * Per block the 16 int8 scales are widened once, multiplied by d and kept in {@code scales}, so each
     * 16-value group costs one broadcast load; the −32 offset is folded out as 32·Σ_g scale_g·Σx_g using
     * {@code sums16[so..]} (Σ x per 16 values, from {@link RowKernels#sums}); the 6-bit values are assembled
     * 32 at a time in byte lanes (no per-lane int work) and widened to f32 only for the products.
     */
    static void matvec16(MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo,
            float[] sums16, int so, float[] out, int oo, float[] scales) {
        for (int r = from; r < to; r++) {
            FloatVector a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F), a4 = FloatVector.zero(F);
            FloatVector offset = FloatVector.zero(F);
            long off = r * rowBytes;
            for (int c = 0; c < cols; c += QK, off += BYTES) {
                FloatVector sv = ((FloatVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + SCALES, LE)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(Blocks.f16(w, off + D));
                sv.intoArray(scales, 0);
                offset = sv.fma(FloatVector.fromArray(F, sums16, so + c / 16), offset);
                for (int h = 0; h < 2; h++) {
                    long ql = off + 64 * h, qh = off + QH + 32 * h;
                    ByteVector a = ByteVector.fromMemorySegment(RowKernels.B256, w, ql, LE);
                    ByteVector b = ByteVector.fromMemorySegment(RowKernels.B256, w, ql + 32, LE);
                    ByteVector hb = ByteVector.fromMemorySegment(RowKernels.B256, w, qh, LE);
                    // byte shifts go through 16-bit lanes (x86 has none for bytes); the masks drop what crossed over
                    ByteVector q1 = a.and((byte) 0x0F)
                            .or(hb.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes().and((byte) 0x30));
                    ByteVector q2 = b.and((byte) 0x0F)
                            .or(hb.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes().and((byte) 0x30));
                    ByteVector q3 = a.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                            .or(hb.and((byte) 0x30));
                    ByteVector q4 = b.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                            .or(hb.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes().and((byte) 0x30));
                    int xb = xo + c + 128 * h, g = 8 * h;
                    // the part numbers must be literals: the Vector API intrinsics need them constant at parse time
                    a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 0)).mul(scales[g]).fma(FloatVector.fromArray(F, x, xb), a1);
                    a2 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 1)).mul(scales[g + 1]).fma(FloatVector.fromArray(F, x, xb + 16), a2);
                    a3 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, 0)).mul(scales[g + 2]).fma(FloatVector.fromArray(F, x, xb + 32), a3);
                    a4 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, 1)).mul(scales[g + 3]).fma(FloatVector.fromArray(F, x, xb + 48), a4);
                    a1 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, 0)).mul(scales[g + 4]).fma(FloatVector.fromArray(F, x, xb + 64), a1);
                    a2 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, 1)).mul(scales[g + 5]).fma(FloatVector.fromArray(F, x, xb + 80), a2);
                    a3 = ((FloatVector) q4.convertShape(VectorOperators.B2F, F, 0)).mul(scales[g + 6]).fma(FloatVector.fromArray(F, x, xb + 96), a3);
                    a4 = ((FloatVector) q4.convertShape(VectorOperators.B2F, F, 1)).mul(scales[g + 7]).fma(FloatVector.fromArray(F, x, xb + 112), a4);
                }
            }
            out[oo + r] = a1.add(a2).add(a3.add(a4)).sub(offset.mul(32f)).reduceLanes(VectorOperators.ADD);
        }
    }

    public static float dotScalar(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            float d = Blocks.f16(w, off + D);
            for (int h = 0; h < 2; h++) {
                long ql = off + 64 * h, qh = off + QH + 32 * h, sc = off + SCALES + 8 * h;
                int xb = xo + c + 128 * h;
                for (int i = 0; i < 32; i++) {
                    int is = i / 16;
                    int a = Blocks.u8(w, ql + i), b = Blocks.u8(w, ql + i + 32), hb = Blocks.u8(w, qh + i);
                    acc += d * w.get(I8, sc + is) * (((a & 0xF) | ((hb & 3) << 4)) - 32) * x[xb + i];
                    acc += d * w.get(I8, sc + is + 2) * (((b & 0xF) | (((hb >> 2) & 3) << 4)) - 32) * x[xb + i + 32];
                    acc += d * w.get(I8, sc + is + 4) * (((a >> 4) | (((hb >> 4) & 3) << 4)) - 32) * x[xb + i + 64];
                    acc += d * w.get(I8, sc + is + 6) * (((b >> 4) | (((hb >> 6) & 3) << 4)) - 32) * x[xb + i + 96];
                }
            }
        }
        return acc;
    }
}
