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
 * ggml block_q3_K (type 11), 256 values as 16 sub-blocks of 16: {uint8 hmask[32]; uint8 qs[64]; uint8
 * scales[12]; f16 d}. Sub-block j has a 6-bit scale sc_j (stored +32): its low nibble is the low (j &lt; 8)
 * or high (j ≥ 8) nibble of scales[j % 8], its top two bits are bits 2·(j/4) of scales[8 + j % 4]. Each
 * 128-value half uses 32 bytes of qs: for l &lt; 32, values l, l+32, l+64, l+96 are the 2-bit fields 0..3
 * of qs[l]; value k's third bit is bit k/32 of hmask[k % 32], and value = d·(sc − 32)·(q − (bit ? 0 : 4)).
 */
public final class Q3_K {
    private Q3_K() {}

    public static final int QK = 256;
    public static final int BYTES = 110;
    static final int QS = 32, SCALES = 96, D = 108;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);

    /** llama.cpp's quantize_row_q3_K_ref (no importance matrix). */
    public static void quantizeRow(float[] x, int xOff, int n, MemorySegment dst, long off) {
        int[] l = new int[QK];
        float[] scales = new float[QK / 16];
        byte[] sc = new byte[12];
        byte[] hmask = new byte[32];
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            int xb = xOff + b * QK;
            float maxScale = 0, amax = 0;
            for (int j = 0; j < QK / 16; j++) {
                scales[j] = KQuantSearch.makeQ3Quants(16, 4, x, xb + 16 * j, l, 16 * j, true);
                float scale = Math.abs(scales[j]);
                if (scale > amax) {
                    amax = scale;
                    maxScale = scales[j];
                }
            }
            java.util.Arrays.fill(sc, (byte) 0);
            if (maxScale != 0) { // C's if (max_scale): NaN counts as set
                float iscale = -32.f / maxScale;
                for (int j = 0; j < QK / 16; j++) {
                    int ls = (byte) nearestInt(iscale * scales[j]); // int8_t l
                    ls = Math.max(-32, Math.min(31, ls)) + 32;
                    if (j < 8) sc[j] = (byte) (ls & 0xF);
                    else sc[j - 8] |= (byte) ((ls & 0xF) << 4);
                    ls >>= 4;
                    sc[j % 4 + 8] |= (byte) (ls << (2 * (j / 4)));
                }
                Blocks.putF16(dst, off + D, 1 / iscale);
            } else {
                Blocks.putF16(dst, off + D, 0.f);
            }
            MemorySegment.copy(sc, 0, dst, I8, off + SCALES, 12);
            float dAll = Blocks.f16(dst, off + D);
            for (int j = 0; j < QK / 16; j++) {
                float d = dAll * (scale(sc, j) - 32);
                if (d == 0) continue; // keep the levels the search chose
                for (int i = 0; i < 16; i++) {
                    int q = nearestInt(x[xb + 16 * j + i] / d);
                    l[16 * j + i] = Math.max(-4, Math.min(3, q)) + 4;
                }
            }
            // the high bit of value k goes to bit k/32 of hmask[k % 32]
            java.util.Arrays.fill(hmask, (byte) 0);
            for (int k = 0; k < QK; k++) {
                if (l[k] > 3) {
                    hmask[k % 32] |= (byte) (1 << (k / 32));
                    l[k] -= 4;
                }
            }
            MemorySegment.copy(hmask, 0, dst, I8, off, 32);
            for (int j = 0; j < QK; j += 128) {
                for (int i = 0; i < 32; i++) {
                    dst.set(I8, off + QS + j / 4 + i,
                            (byte) (l[j + i] | (l[j + i + 32] << 2) | (l[j + i + 64] << 4) | (l[j + i + 96] << 6)));
                }
            }
        }
    }

    /** The stored 6-bit scale of sub-block j (0..63, value sc − 32) from the 12 packed bytes. */
    static int scale(byte[] s, int j) {
        int lo = j < 8 ? s[j] & 0xF : (s[j - 8] & 0xFF) >> 4;
        return lo | ((((s[8 + j % 4] & 0xFF) >> (2 * (j / 4))) & 3) << 4);
    }

    /** Scale j of the super-block whose 12 scale bytes start at row[sc] (the interleaved copy's packer). */
    static int scale(byte[] row, int sc, int j) {
        int lo = j < 8 ? row[sc + j] & 0xF : (row[sc + j - 8] & 0xFF) >> 4;
        return lo | ((((row[sc + 8 + j % 4] & 0xFF) >> (2 * (j / 4))) & 3) << 4);
    }

    private static int scale(MemorySegment src, long sc, int j) {
        int lo = j < 8 ? Blocks.u8(src, sc + j) & 0xF : Blocks.u8(src, sc + j - 8) >> 4;
        return lo | (((Blocks.u8(src, sc + 8 + j % 4) >> (2 * (j / 4))) & 3) << 4);
    }

    /**
     * The 6-bit scales of half h (sub-blocks 8h..8h+7), one per byte of a long, from the 12 packed bytes
     * held as a little-endian long (bytes 0-7) and int (8-11): ggml's kmask shuffle, four scales per int.
     */
    private static long halfScales(long lo, int hi, int h) {
        int a = (int) (lo >>> (4 * h)), b = (int) (lo >>> (32 + 4 * h)), tmp = hi >>> (4 * h);
        int first = (a & 0x0F0F0F0F) | ((tmp & 0x03030303) << 4);
        int second = (b & 0x0F0F0F0F) | (((tmp >>> 2) & 0x03030303) << 4);
        return (first & 0xFFFFFFFFL) | ((long) second << 32);
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off + D);
            for (int h = 0; h < 2; h++) {
                long q = off + QS + 32 * h;
                int yb = yOff + b * QK + 128 * h;
                for (int s = 0; s < 4; s++) {
                    int bit = 4 * h + s;
                    for (int t = 0; t < 2; t++) {
                        float dl = d * (scale(src, off + SCALES, 8 * h + 2 * s + t) - 32);
                        for (int i = 16 * t; i < 16 * t + 16; i++) {
                            int v = ((Blocks.u8(src, q + i) >> (2 * s)) & 3) - (((Blocks.u8(src, off + i) >> bit) & 1) != 0 ? 0 : 4);
                            y[yb + 32 * s + i] = dl * v;
                        }
                    }
                }
            }
        }
    }

    /**
     * Vector twin of {@link #dequantizeRow}, bit-identical (d·(sc − 32) then ·(q − 4) either way). Written
     * out like {@link #blockDot}, for the same reason (through the helpers C2 left calls that boxed).
     */
    public static void dequantizeRowVector(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int c = 0; c < n; c += QK, off += BYTES) {
            long lo = src.get(I64, off + SCALES), top = src.get(I64, off + SCALES + 6);
            float d = Float.float16ToFloat((short) (top >>> 48));
            int hi = (int) (top >>> 16);
            long sc0 = halfScales(lo, hi, 0), sc1 = halfScales(lo, hi, 1);
            int yb = yOff + c;
            for (int i = 0; i < 32; i += L) {
                int t = 8 * (i / 16);
                IntVector m = (IntVector) ByteVector.fromMemorySegment(B, src, off + i, LE).convertShape(VectorOperators.B2I, Blocks.I, 0);
                IntVector b = (IntVector) ByteVector.fromMemorySegment(B, src, off + QS + i, LE).convertShape(VectorOperators.B2I, Blocks.I, 0);
                ((FloatVector) b.and(3).or(m.lanewise(VectorOperators.LSHL, 2).and(4)).sub(4).convertShape(VectorOperators.I2F, F, 0))
                        .mul(d * (((int) (sc0 >>> t) & 0xFF) - 32)).intoArray(y, yb + i);
                ((FloatVector) b.lanewise(VectorOperators.ASHR, 2).and(3).or(m.lanewise(VectorOperators.LSHL, 1).and(4)).sub(4).convertShape(VectorOperators.I2F, F, 0))
                        .mul(d * (((int) (sc0 >>> (t + 16)) & 0xFF) - 32)).intoArray(y, yb + 32 + i);
                ((FloatVector) b.lanewise(VectorOperators.ASHR, 4).and(3).or(m.and(4)).sub(4).convertShape(VectorOperators.I2F, F, 0))
                        .mul(d * (((int) (sc0 >>> (t + 32)) & 0xFF) - 32)).intoArray(y, yb + 64 + i);
                ((FloatVector) b.lanewise(VectorOperators.ASHR, 6).and(3).or(m.lanewise(VectorOperators.ASHR, 1).and(4)).sub(4).convertShape(VectorOperators.I2F, F, 0))
                        .mul(d * (((int) (sc0 >>> (t + 48)) & 0xFF) - 32)).intoArray(y, yb + 96 + i);
                b = (IntVector) ByteVector.fromMemorySegment(B, src, off + QS + 32 + i, LE).convertShape(VectorOperators.B2I, Blocks.I, 0);
                ((FloatVector) b.and(3).or(m.lanewise(VectorOperators.ASHR, 2).and(4)).sub(4).convertShape(VectorOperators.I2F, F, 0))
                        .mul(d * (((int) (sc1 >>> t) & 0xFF) - 32)).intoArray(y, yb + 128 + i);
                ((FloatVector) b.lanewise(VectorOperators.ASHR, 2).and(3).or(m.lanewise(VectorOperators.ASHR, 3).and(4)).sub(4).convertShape(VectorOperators.I2F, F, 0))
                        .mul(d * (((int) (sc1 >>> (t + 16)) & 0xFF) - 32)).intoArray(y, yb + 160 + i);
                ((FloatVector) b.lanewise(VectorOperators.ASHR, 4).and(3).or(m.lanewise(VectorOperators.ASHR, 4).and(4)).sub(4).convertShape(VectorOperators.I2F, F, 0))
                        .mul(d * (((int) (sc1 >>> (t + 32)) & 0xFF) - 32)).intoArray(y, yb + 192 + i);
                ((FloatVector) b.lanewise(VectorOperators.ASHR, 6).and(3).or(m.lanewise(VectorOperators.ASHR, 5).and(4)).sub(4).convertShape(VectorOperators.I2F, F, 0))
                        .mul(d * (((int) (sc1 >>> (t + 48)) & 0xFF) - 32)).intoArray(y, yb + 224 + i);
            }
        }
    }

    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        int k = i % QK, h = k / 128, s = (k % 128) / 32, l = k % 32;
        int q = (Blocks.u8(src, bo + QS + 32 * h + l) >> (2 * s)) & 3;
        int v = q - (((Blocks.u8(src, bo + l) >> (k / 32)) & 1) != 0 ? 0 : 4);
        return Blocks.f16(src, bo + D) * (scale(src, bo + SCALES, k / 16) - 32) * v;
    }

    /** Σ W[c]·x[xo + c], one block at a time (see {@link #blockDot}). */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) acc += blockDot(w, off, x, xo + c);
        return acc;
    }

    /**
     * One 256-value block; returns a float so no vector crosses a (possibly not inlined) call, as in
     * {@link Q6_K}. The 16 scales are unpacked once; each step loads L bytes of hmask (shared by both halves)
     * and of each half's qs, giving eight planes of L values whose weights d·sc·(q − 4) are one FMA from the
     * levels q ∈ 0..7. The Vector API calls are written out rather than through the {@link Blocks} helpers:
     * this method exceeds C2's inlining node budget, past which only the API's own force-inlined methods are
     * still inlined, and a helper left as a call would box the vectors.
     */
    private static float blockDot(MemorySegment w, long off, float[] x, int xb) {
        // scales and d in two reads: bytes 96-103, and 102-109 (scale bytes 8-11, then d in the top two)
        long lo = w.get(I64, off + SCALES), top = w.get(I64, off + SCALES + 6);
        float d = Float.float16ToFloat((short) (top >>> 48));
        int hi = (int) (top >>> 16);
        long sc0 = halfScales(lo, hi, 0), sc1 = halfScales(lo, hi, 1);
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        for (int i = 0; i < 32; i += L) {
            int t = 8 * (i / 16);
            IntVector m = (IntVector) ByteVector.fromMemorySegment(B, w, off + i, LE).convertShape(VectorOperators.B2I, Blocks.I, 0);
            IntVector b = (IntVector) ByteVector.fromMemorySegment(B, w, off + QS + i, LE).convertShape(VectorOperators.B2I, Blocks.I, 0);
            float d0 = d * (((int) (sc0 >>> t) & 0xFF) - 32), d1 = d * (((int) (sc0 >>> (t + 16)) & 0xFF) - 32);
            float d2 = d * (((int) (sc0 >>> (t + 32)) & 0xFF) - 32), d3 = d * (((int) (sc0 >>> (t + 48)) & 0xFF) - 32);
            a0 = ((FloatVector) b.and(3).or(m.lanewise(VectorOperators.LSHL, 2).and(4)).convertShape(VectorOperators.I2F, F, 0))
                    .fma(d0, -4 * d0).fma(FloatVector.fromArray(F, x, xb + i), a0);
            a1 = ((FloatVector) b.lanewise(VectorOperators.ASHR, 2).and(3).or(m.lanewise(VectorOperators.LSHL, 1).and(4)).convertShape(VectorOperators.I2F, F, 0))
                    .fma(d1, -4 * d1).fma(FloatVector.fromArray(F, x, xb + 32 + i), a1);
            a0 = ((FloatVector) b.lanewise(VectorOperators.ASHR, 4).and(3).or(m.and(4)).convertShape(VectorOperators.I2F, F, 0))
                    .fma(d2, -4 * d2).fma(FloatVector.fromArray(F, x, xb + 64 + i), a0);
            a1 = ((FloatVector) b.lanewise(VectorOperators.ASHR, 6).and(3).or(m.lanewise(VectorOperators.ASHR, 1).and(4)).convertShape(VectorOperators.I2F, F, 0))
                    .fma(d3, -4 * d3).fma(FloatVector.fromArray(F, x, xb + 96 + i), a1);
            b = (IntVector) ByteVector.fromMemorySegment(B, w, off + QS + 32 + i, LE).convertShape(VectorOperators.B2I, Blocks.I, 0);
            d0 = d * (((int) (sc1 >>> t) & 0xFF) - 32);
            d1 = d * (((int) (sc1 >>> (t + 16)) & 0xFF) - 32);
            d2 = d * (((int) (sc1 >>> (t + 32)) & 0xFF) - 32);
            d3 = d * (((int) (sc1 >>> (t + 48)) & 0xFF) - 32);
            a0 = ((FloatVector) b.and(3).or(m.lanewise(VectorOperators.ASHR, 2).and(4)).convertShape(VectorOperators.I2F, F, 0))
                    .fma(d0, -4 * d0).fma(FloatVector.fromArray(F, x, xb + 128 + i), a0);
            a1 = ((FloatVector) b.lanewise(VectorOperators.ASHR, 2).and(3).or(m.lanewise(VectorOperators.ASHR, 3).and(4)).convertShape(VectorOperators.I2F, F, 0))
                    .fma(d1, -4 * d1).fma(FloatVector.fromArray(F, x, xb + 160 + i), a1);
            a0 = ((FloatVector) b.lanewise(VectorOperators.ASHR, 4).and(3).or(m.lanewise(VectorOperators.ASHR, 4).and(4)).convertShape(VectorOperators.I2F, F, 0))
                    .fma(d2, -4 * d2).fma(FloatVector.fromArray(F, x, xb + 192 + i), a0);
            a1 = ((FloatVector) b.lanewise(VectorOperators.ASHR, 6).and(3).or(m.lanewise(VectorOperators.ASHR, 5).and(4)).convertShape(VectorOperators.I2F, F, 0))
                    .fma(d3, -4 * d3).fma(FloatVector.fromArray(F, x, xb + 224 + i), a1);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    public static float dotScalar(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            float d = Blocks.f16(w, off + D);
            for (int h = 0; h < 2; h++) {
                long q = off + QS + 32 * h;
                int xb = xo + c + 128 * h;
                for (int s = 0; s < 4; s++) {
                    int bit = 4 * h + s;
                    for (int t = 0; t < 2; t++) {
                        float sq = 0;
                        for (int i = 16 * t; i < 16 * t + 16; i++) {
                            int v = ((Blocks.u8(w, q + i) >> (2 * s)) & 3) - (((Blocks.u8(w, off + i) >> bit) & 1) != 0 ? 0 : 4);
                            sq += v * x[xb + 32 * s + i];
                        }
                        acc += d * (scale(w, off + SCALES, 8 * h + 2 * s + t) - 32) * sq;
                    }
                }
            }
        }
        return acc;
    }
}
