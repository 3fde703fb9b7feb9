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
 * ggml block_q4_K, 256 values as 8 sub-blocks of 32: {f16 d; f16 dmin; uint8 scales[12]; uint8 qs[128]}.
 * Sub-block j has a 6-bit scale sc_j and min m_j packed in scales[] (get_scale_min_k4); value i of
 * sub-block j is d·sc_j·q − dmin·m_j. qs holds 64 values per 32 bytes: low nibbles are sub-block 2k,
 * high nibbles sub-block 2k + 1.
 */
public final class Q4_K {
    private Q4_K() {}

    public static final int QK = 256;
    public static final int BYTES = 144;
    private static final int SCALES = 4, QS = 16;
    static final int QS_OFFSET = QS, SCALES_OFFSET = SCALES;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    /** llama.cpp's quantize_row_q4_K_ref (no importance matrix). */
    public static void quantizeRow(float[] x, int xOff, int n, MemorySegment dst, long off) {
        int[] l = new int[QK];
        int[] laux = new int[32];
        float[] weights = new float[32];
        float[] mins = new float[QK / 32];
        float[] scales = new float[QK / 32];
        float[] minOut = new float[1];
        byte[] sc = new byte[12];
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            int xb = xOff + b * QK;
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < QK / 32; j++) {
                float sumX2 = 0;
                for (int i = 0; i < 32; i++) sumX2 += x[xb + 32 * j + i] * x[xb + 32 * j + i];
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int i = 0; i < 32; i++) weights[i] = avX + Math.abs(x[xb + 32 * j + i]);
                scales[j] = KQuantSearch.makeQkx2Quants(32, 15, x, xb + 32 * j, weights, l, 32 * j, minOut, laux,
                        -1.f, 0.1f, 20, false);
                mins[j] = minOut[0];
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
            float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
            java.util.Arrays.fill(sc, (byte) 0);
            for (int j = 0; j < QK / 32; j++) {
                // stored as uint8_t before MIN(63, ·), as in C
                int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
                int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
                if (j < 4) {
                    sc[j] = (byte) ls;
                    sc[j + 4] = (byte) lm;
                } else {
                    sc[j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
                    sc[j - 4] |= (byte) ((ls >> 4) << 6);
                    sc[j] |= (byte) ((lm >> 4) << 6);
                }
            }
            Blocks.putF16(dst, off, maxScale / 63.f);
            Blocks.putF16(dst, off + 2, maxMin / 63.f);
            MemorySegment.copy(sc, 0, dst, I8, off + SCALES, 12);
            float d = Blocks.f16(dst, off), dmin = Blocks.f16(dst, off + 2);
            for (int j = 0; j < QK / 32; j++) {
                float dj = d * scale(sc, j);
                if (dj == 0) continue; // keep the levels the search chose
                float dm = dmin * min(sc, j);
                for (int i = 0; i < 32; i++) {
                    int q = nearestInt((x[xb + 32 * j + i] + dm) / dj);
                    l[32 * j + i] = Math.max(0, Math.min(15, q));
                }
            }
            for (int j = 0; j < QK; j += 64) {
                for (int i = 0; i < 32; i++) {
                    dst.set(I8, off + QS + j / 2 + i, (byte) (l[j + i] | (l[j + i + 32] << 4)));
                }
            }
        }
    }

    /** get_scale_min_k4: the 6-bit scale of sub-block j. */
    static int scale(byte[] q, int j) {
        return j < 4 ? q[j] & 63 : (q[j + 4] & 0xF) | (((q[j - 4] & 0xFF) >> 6) << 4);
    }

    /** get_scale_min_k4: the 6-bit min of sub-block j. */
    static int min(byte[] q, int j) {
        return j < 4 ? q[j + 4] & 63 : ((q[j + 4] & 0xFF) >> 4) | (((q[j] & 0xFF) >> 6) << 4);
    }

    private static int scale(MemorySegment s, long sc, int j) {
        return j < 4 ? Blocks.u8(s, sc + j) & 63
                : (Blocks.u8(s, sc + j + 4) & 0xF) | ((Blocks.u8(s, sc + j - 4) >> 6) << 4);
    }

    private static int min(MemorySegment s, long sc, int j) {
        return j < 4 ? Blocks.u8(s, sc + j + 4) & 63
                : (Blocks.u8(s, sc + j + 4) >> 4) | ((Blocks.u8(s, sc + j) >> 6) << 4);
    }

    /** Byte k of the 12 packed scale bytes held as a little-endian long (bytes 0-7) and int (8-11). */
    private static int sb(long lo, int hi, int k) {
        return (k < 8 ? (int) (lo >>> (8 * k)) : hi >>> (8 * (k - 8))) & 0xFF;
    }

    /** get_scale_min_k4 on the 12 scale bytes read as a little-endian long (bytes 0-7) and int (8-11); Q5_K shares it. */
    static int scale(long lo, int hi, int j) {
        return j < 4 ? sb(lo, hi, j) & 63 : (sb(lo, hi, j + 4) & 0xF) | ((sb(lo, hi, j - 4) >> 6) << 4);
    }

    static int min(long lo, int hi, int j) {
        return j < 4 ? sb(lo, hi, j + 4) & 63 : (sb(lo, hi, j + 4) >> 4) | ((sb(lo, hi, j) >> 6) << 4);
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off), dmin = Blocks.f16(src, off + 2);
            int yb = yOff + b * QK;
            for (int j = 0; j < 4; j++) {
                float d1 = d * scale(src, off + SCALES, 2 * j), m1 = dmin * min(src, off + SCALES, 2 * j);
                float d2 = d * scale(src, off + SCALES, 2 * j + 1), m2 = dmin * min(src, off + SCALES, 2 * j + 1);
                for (int i = 0; i < 32; i++) {
                    int q = Blocks.u8(src, off + QS + 32 * j + i);
                    y[yb + 64 * j + i] = d1 * (q & 0xF) - m1;
                    y[yb + 64 * j + 32 + i] = d2 * (q >> 4) - m2;
                }
            }
        }
    }

    /** Vector twin of {@link #dequantizeRow}, bit-identical (d·sc·q − dmin·m with the same roundings, no FMA). */
    public static void dequantizeRowVector(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int c = 0; c < n; c += QK, off += BYTES) {
            float d = Blocks.f16(src, off), dmin = Blocks.f16(src, off + 2);
            long lo = src.get(I64, off + SCALES);
            int hi = src.get(I32, off + SCALES + 8);
            for (int j = 0; j < 4; j++) {
                FloatVector d1 = FloatVector.broadcast(F, d * scale(lo, hi, 2 * j)), m1 = FloatVector.broadcast(F, dmin * min(lo, hi, 2 * j));
                FloatVector d2 = FloatVector.broadcast(F, d * scale(lo, hi, 2 * j + 1)), m2 = FloatVector.broadcast(F, dmin * min(lo, hi, 2 * j + 1));
                int yb = yOff + c + 64 * j;
                for (int i = 0; i < 32; i += L) {
                    IntVector q = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, src, off + QS + 32 * j + i, LE));
                    Blocks.intsToFloats(q.and(0x0F)).mul(d1).sub(m1).intoArray(y, yb + i);
                    Blocks.intsToFloats(q.lanewise(VectorOperators.ASHR, 4).and(0x0F)).mul(d2).sub(m2).intoArray(y, yb + 32 + i);
                }
            }
        }
    }

    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        int k = i % QK, sub = k / 32, pair = k / 64, within = k % 32;
        int q = Blocks.u8(src, bo + QS + 32 * pair + within);
        int v = (sub & 1) == 0 ? q & 0xF : q >> 4;
        return Blocks.f16(src, bo) * scale(src, bo + SCALES, sub) * v - Blocks.f16(src, bo + 2) * min(src, bo + SCALES, sub);
    }

    /**
     * Σ W[c]·x[xo + c] = Σ_j d·sc_j·Σ q·x − dmin·m_j·Σ x per sub-block: the nibble products and the plain
     * activation sums are accumulated in vectors, and the two scales applied once per 32 values.
     */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F), accMin = FloatVector.zero(F);
        // one flat loop over 64-value groups (two sub-blocks sharing 32 bytes of nibbles): the block header is
        // re-read per group, which is cheaper than nesting loops that carry vectors (C2 then boxes them)
        for (int g = 0; g < cols / 64; g++) {
            long bo = off + (long) (g >> 2) * BYTES;
            int j = g & 3;
            float d = Blocks.f16(w, bo), dmin = Blocks.f16(w, bo + 2);
            // the packed 6-bit scales/mins of sub-blocks 2j and 2j+1, four at a time with masks (as ggml's kmask):
            // bytes 0-3 hold scales 0-3, 4-7 mins 0-3, and 8-11 the low nibbles of scales/mins 4-7 whose top two
            // bits sit in bits 6-7 of bytes 0-3 / 4-7
            long lo = w.get(I64, bo + SCALES);
            int sc, mn;
            if (j < 2) {
                sc = (int) lo & 0x3F3F3F3F;
                mn = (int) (lo >>> 32) & 0x3F3F3F3F;
            } else {
                int hi = w.get(I32, bo + SCALES + 8);
                sc = (hi & 0x0F0F0F0F) | ((int) (lo >>> 2) & 0x30303030);
                mn = ((hi >>> 4) & 0x0F0F0F0F) | ((int) (lo >>> 34) & 0x30303030);
            }
            int sh = 16 * (j & 1);
            float d1 = d * ((sc >>> sh) & 0xFF), d2 = d * ((sc >>> (sh + 8)) & 0xFF);
            float m1 = dmin * ((mn >>> sh) & 0xFF), m2 = dmin * ((mn >>> (sh + 8)) & 0xFF);
            FloatVector s1 = FloatVector.zero(F), s2 = FloatVector.zero(F);
            FloatVector x1 = FloatVector.zero(F), x2 = FloatVector.zero(F);
            long q = bo + QS + 32 * j;
            int xj = xo + 64 * g;
            for (int i = 0; i < 32; i += L) {
                IntVector b = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, w, q + i, LE));
                FloatVector xa = FloatVector.fromArray(F, x, xj + i);
                FloatVector xc = FloatVector.fromArray(F, x, xj + 32 + i);
                s1 = Blocks.intsToFloats(b.and(0x0F)).fma(xa, s1);
                s2 = Blocks.intsToFloats(b.lanewise(VectorOperators.ASHR, 4).and(0x0F)).fma(xc, s2);
                x1 = x1.add(xa);
                x2 = x2.add(xc);
            }
            acc = s1.fma(FloatVector.broadcast(F, d1), acc);
            acc = s2.fma(FloatVector.broadcast(F, d2), acc);
            accMin = x1.fma(FloatVector.broadcast(F, m1), accMin);
            accMin = x2.fma(FloatVector.broadcast(F, m2), accMin);
        }
        return acc.sub(accMin).reduceLanes(VectorOperators.ADD);
    }

    /**
     * Decode kernel for 16-lane f32 vectors (AVX-512): out[oo + r] = Σ W[r, c]·x[xo + c] for rows [from, to).
     * The mins term Σ_j dmin·m_j·Σx_j only needs the activation sums, so it is a scalar sum per block from
     * {@code sums32[so..]} (Σ x per 32 values). The rest, d·sc_j·q, takes one of 16 values per sub-block: a
     * 16-lane table that the nibbles, widened to int lanes, select from (as in {@link Q4_0#matvec16}).
     * Measured alternatives, all slower: converting nibbles to f32 and scaling (−5%), tables that also fold
     * the min (−15%: two scalar extractions per table), widening the eight scales in 8-lane vectors (4×:
     * C2 did not intrinsify the 64-bit byte to 256-bit float conversion).
     */
    static void matvec16(MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo,
            float[] sums32, int so, float[] out, int oo) {
        for (int r = from; r < to; r++) {
            FloatVector a1 = FloatVector.zero(F), a2 = FloatVector.zero(F);
            float mins = 0f;
            long off = r * rowBytes;
            for (int c = 0; c < cols; c += QK, off += BYTES) {
                float d = Blocks.f16(w, off), dmin = Blocks.f16(w, off + 2);
                long lo = w.get(I64, off + SCALES);
                int hi = w.get(I32, off + SCALES + 8);
                // the 6-bit scales and mins of sub-blocks 0-3 and 4-7, one per byte (see dot)
                int sc03 = (int) lo & 0x3F3F3F3F, mn03 = (int) (lo >>> 32) & 0x3F3F3F3F;
                int sc47 = (hi & 0x0F0F0F0F) | ((int) (lo >>> 2) & 0x30303030);
                int mn47 = ((hi >>> 4) & 0x0F0F0F0F) | ((int) (lo >>> 34) & 0x30303030);
                int s = so + c / 32;
                mins += dmin * ((mn03 & 0xFF) * sums32[s] + ((mn03 >>> 8) & 0xFF) * sums32[s + 1]
                        + ((mn03 >>> 16) & 0xFF) * sums32[s + 2] + (mn03 >>> 24) * sums32[s + 3]
                        + (mn47 & 0xFF) * sums32[s + 4] + ((mn47 >>> 8) & 0xFF) * sums32[s + 5]
                        + ((mn47 >>> 16) & 0xFF) * sums32[s + 6] + (mn47 >>> 24) * sums32[s + 7]);
                // the four 64-value groups written out: constant offsets, no loop bookkeeping (+6%)
                IntVector v0, v1, tl, th;
                int xb = xo + c;
                float d0 = d * (sc03 & 0xFF), d1 = d * ((sc03 >>> 8) & 0xFF), d2 = d * ((sc03 >>> 16) & 0xFF), d3 = d * (sc03 >>> 24);
                float d4 = d * (sc47 & 0xFF), d5 = d * ((sc47 >>> 8) & 0xFF), d6 = d * ((sc47 >>> 16) & 0xFF), d7 = d * (sc47 >>> 24);
                v0 = (IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + QS + 0, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                v1 = (IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + QS + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                tl = IOTA.mul(d0).reinterpretAsInts();
                th = IOTA.mul(d1).reinterpretAsInts();
                a1 = v0.selectFrom(tl).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 0), a1);
                a2 = v1.selectFrom(tl).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 16), a2);
                a1 = v0.lanewise(VectorOperators.LSHR, 4).selectFrom(th).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 32), a1);
                a2 = v1.lanewise(VectorOperators.LSHR, 4).selectFrom(th).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 48), a2);
                v0 = (IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + QS + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                v1 = (IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + QS + 48, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                tl = IOTA.mul(d2).reinterpretAsInts();
                th = IOTA.mul(d3).reinterpretAsInts();
                a1 = v0.selectFrom(tl).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 64), a1);
                a2 = v1.selectFrom(tl).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 80), a2);
                a1 = v0.lanewise(VectorOperators.LSHR, 4).selectFrom(th).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 96), a1);
                a2 = v1.lanewise(VectorOperators.LSHR, 4).selectFrom(th).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 112), a2);
                v0 = (IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + QS + 64, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                v1 = (IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + QS + 80, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                tl = IOTA.mul(d4).reinterpretAsInts();
                th = IOTA.mul(d5).reinterpretAsInts();
                a1 = v0.selectFrom(tl).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 128), a1);
                a2 = v1.selectFrom(tl).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 144), a2);
                a1 = v0.lanewise(VectorOperators.LSHR, 4).selectFrom(th).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 160), a1);
                a2 = v1.lanewise(VectorOperators.LSHR, 4).selectFrom(th).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 176), a2);
                v0 = (IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + QS + 96, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                v1 = (IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + QS + 112, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0);
                tl = IOTA.mul(d6).reinterpretAsInts();
                th = IOTA.mul(d7).reinterpretAsInts();
                a1 = v0.selectFrom(tl).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 192), a1);
                a2 = v1.selectFrom(tl).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 208), a2);
                a1 = v0.lanewise(VectorOperators.LSHR, 4).selectFrom(th).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 224), a1);
                a2 = v1.lanewise(VectorOperators.LSHR, 4).selectFrom(th).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 240), a2);
            }
            out[oo + r] = a1.add(a2).reduceLanes(VectorOperators.ADD) - mins;
        }
    }

    private static final FloatVector IOTA = FloatVector.fromArray(F, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 0);

    public static float dotScalar(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            float d = Blocks.f16(w, off), dmin = Blocks.f16(w, off + 2);
            for (int j = 0; j < 4; j++) {
                float s1 = 0, s2 = 0, x1 = 0, x2 = 0;
                int xb = xo + c + 64 * j;
                for (int i = 0; i < 32; i++) {
                    int q = Blocks.u8(w, off + QS + 32 * j + i);
                    s1 += (q & 0xF) * x[xb + i];
                    s2 += (q >> 4) * x[xb + 32 + i];
                    x1 += x[xb + i];
                    x2 += x[xb + 32 + i];
                }
                acc += d * scale(w, off + SCALES, 2 * j) * s1 - dmin * min(w, off + SCALES, 2 * j) * x1;
                acc += d * scale(w, off + SCALES, 2 * j + 1) * s2 - dmin * min(w, off + SCALES, 2 * j + 1) * x2;
            }
        }
        return acc;
    }
}
