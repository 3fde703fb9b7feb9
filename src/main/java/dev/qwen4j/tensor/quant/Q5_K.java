package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.B;
import static dev.qwen4j.tensor.quant.Blocks.F;
import static dev.qwen4j.tensor.quant.Blocks.I;
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
 * ggml block_q5_K, 256 values as 8 sub-blocks of 32: {f16 d; f16 dmin; uint8 scales[12]; uint8 qh[32];
 * uint8 qs[128]}. Scales and mins are packed as in {@link Q4_K}; sub-block j's values are
 * d·sc_j·q − dmin·m_j with 5-bit q. Group g (values 64g .. 64g + 63) takes its low four bits from
 * qs[32g .. 32g + 31] (low nibbles: sub-block 2g, high nibbles: 2g + 1) and its fifth bits from bit 2g
 * (sub-block 2g) and 2g + 1 (sub-block 2g + 1) of qh[l] for l &lt; 32.
 */
public final class Q5_K {
    private Q5_K() {}

    public static final int QK = 256;
    public static final int BYTES = 176;
    private static final int SCALES = 4, QH = 16, QS = 48;
    static final int QS_OFFSET = QS, QH_OFFSET = QH;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    /** llama.cpp's quantize_row_q5_K_ref (no importance matrix). */
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
                scales[j] = KQuantSearch.makeQkx2Quants(32, 31, x, xb + 32 * j, weights, l, 32 * j, minOut, laux,
                        -0.5f, 0.1f, 15, false);
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
                float dj = d * Q4_K.scale(sc, j);
                if (dj == 0) continue; // keep the levels the search chose
                float dm = dmin * Q4_K.min(sc, j);
                for (int i = 0; i < 32; i++) {
                    int q = nearestInt((x[xb + 32 * j + i] + dm) / dj);
                    l[32 * j + i] = Math.max(0, Math.min(31, q));
                }
            }
            for (int i = 0; i < 32; i++) {
                int qh = 0;
                for (int g = 0; g < 4; g++) {
                    int l1 = l[64 * g + i], l2 = l[64 * g + 32 + i];
                    qh |= (l1 >> 4) << (2 * g) | (l2 >> 4) << (2 * g + 1);
                    dst.set(I8, off + QS + 32 * g + i, (byte) ((l1 & 0xF) | ((l2 & 0xF) << 4)));
                }
                dst.set(I8, off + QH + i, (byte) qh);
            }
        }
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off), dmin = Blocks.f16(src, off + 2);
            long lo = src.get(I64, off + SCALES);
            int hi = src.get(I32, off + SCALES + 8);
            int yb = yOff + b * QK;
            for (int g = 0; g < 4; g++) {
                float d1 = d * Q4_K.scale(lo, hi, 2 * g), m1 = dmin * Q4_K.min(lo, hi, 2 * g);
                float d2 = d * Q4_K.scale(lo, hi, 2 * g + 1), m2 = dmin * Q4_K.min(lo, hi, 2 * g + 1);
                for (int i = 0; i < 32; i++) {
                    int q = Blocks.u8(src, off + QS + 32 * g + i), h = Blocks.u8(src, off + QH + i) >> (2 * g);
                    y[yb + 64 * g + i] = d1 * ((q & 0xF) | ((h & 1) << 4)) - m1;
                    y[yb + 64 * g + 32 + i] = d2 * ((q >> 4) | ((h & 2) << 3)) - m2;
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
            for (int g = 0; g < 4; g++) {
                FloatVector d1 = FloatVector.broadcast(F, d * Q4_K.scale(lo, hi, 2 * g)), m1 = FloatVector.broadcast(F, dmin * Q4_K.min(lo, hi, 2 * g));
                FloatVector d2 = FloatVector.broadcast(F, d * Q4_K.scale(lo, hi, 2 * g + 1)), m2 = FloatVector.broadcast(F, dmin * Q4_K.min(lo, hi, 2 * g + 1));
                int yb = yOff + c + 64 * g;
                for (int i = 0; i < 32; i += L) {
                    IntVector q = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, src, off + QS + 32 * g + i, LE));
                    IntVector h = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, src, off + QH + i, LE)).lanewise(VectorOperators.ASHR, 2 * g);
                    IntVector q1 = q.and(0x0F).or(h.and(1).lanewise(VectorOperators.LSHL, 4));
                    IntVector q2 = q.lanewise(VectorOperators.ASHR, 4).and(0x0F).or(h.and(2).lanewise(VectorOperators.LSHL, 3));
                    Blocks.intsToFloats(q1).mul(d1).sub(m1).intoArray(y, yb + i);
                    Blocks.intsToFloats(q2).mul(d2).sub(m2).intoArray(y, yb + 32 + i);
                }
            }
        }
    }

    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        int k = i % QK, sub = k / 32, g = k / 64, within = k % 32;
        int q = Blocks.u8(src, bo + QS + 32 * g + within);
        int v = ((sub & 1) == 0 ? q & 0xF : q >> 4) | (((Blocks.u8(src, bo + QH + within) >> sub) & 1) << 4);
        long lo = src.get(I64, bo + SCALES);
        int hi = src.get(I32, bo + SCALES + 8);
        return Blocks.f16(src, bo) * Q4_K.scale(lo, hi, sub) * v - Blocks.f16(src, bo + 2) * Q4_K.min(lo, hi, sub);
    }

    /**
     * Σ W[c]·x[xo + c] = Σ_j d·sc_j·Σ q·x − dmin·m_j·Σ x per sub-block, as {@link Q4_K#dot} with the fifth bits
     * or-ed in from qh.
     */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F), accMin = FloatVector.zero(F);
        // one flat loop over 64-value groups (see Q4_K.dot: nested loops carrying vectors get boxed by C2)
        for (int g = 0; g < cols / 64; g++) {
            long bo = off + (long) (g >> 2) * BYTES;
            int j = g & 3;
            float d = Blocks.f16(w, bo), dmin = Blocks.f16(w, bo + 2);
            long lo = w.get(I64, bo + SCALES);
            int hi = w.get(I32, bo + SCALES + 8);
            float d1 = d * Q4_K.scale(lo, hi, 2 * j), d2 = d * Q4_K.scale(lo, hi, 2 * j + 1);
            float m1 = dmin * Q4_K.min(lo, hi, 2 * j), m2 = dmin * Q4_K.min(lo, hi, 2 * j + 1);
            FloatVector s1 = FloatVector.zero(F), s2 = FloatVector.zero(F);
            FloatVector x1 = FloatVector.zero(F), x2 = FloatVector.zero(F);
            long q = bo + QS + 32 * j;
            int xj = xo + 64 * g;
            for (int i = 0; i < 32; i += L) {
                IntVector b = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, w, q + i, LE));
                IntVector h = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, w, bo + QH + i, LE)).lanewise(VectorOperators.ASHR, 2 * j);
                FloatVector xa = FloatVector.fromArray(F, x, xj + i);
                FloatVector xc = FloatVector.fromArray(F, x, xj + 32 + i);
                s1 = Blocks.intsToFloats(b.and(0x0F).or(h.and(1).lanewise(VectorOperators.LSHL, 4))).fma(xa, s1);
                s2 = Blocks.intsToFloats(b.lanewise(VectorOperators.ASHR, 4).and(0x0F).or(h.and(2).lanewise(VectorOperators.LSHL, 3))).fma(xc, s2);
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
     * Decode kernel for 16-lane f32 vectors: out[oo + r] = Σ W[r, c]·x[xo + c] for rows [from, to). The mins
     * term comes from {@code sums32} (Σ x per 32 values) as in {@link Q4_K#matvec16}; d·sc_j·q takes one of 32
     * values per sub-block, two 16-lane tables that the 5-bit codes select from. Tried: reading the header and
     * fifth bits once per block with the four groups written out (0.116 vs 0.154 ns/value in isolation, but the
     * method then defeated C1 — "out of virtual registers" — and C2 never took it over, so decode ran boxed,
     * ~100× slower), and a loop over 128-value halves (no faster than this).
     */
    static void matvec16(MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo,
            float[] sums32, int so, float[] out, int oo) {
        for (int r = from; r < to; r++) {
            FloatVector a1 = FloatVector.zero(F), a2 = FloatVector.zero(F);
            float mins = 0f;
            long rowOff = r * rowBytes;
            // one flat loop over 64-value groups, header re-read per group (see dot)
            for (int g = 0; g < cols / 64; g++) {
                long bo = rowOff + (long) (g >> 2) * BYTES;
                int j = g & 3;
                float d = Blocks.f16(w, bo), dmin = Blocks.f16(w, bo + 2);
                long lo = w.get(I64, bo + SCALES);
                int hi = w.get(I32, bo + SCALES + 8);
                float dl = d * Q4_K.scale(lo, hi, 2 * j), dh = d * Q4_K.scale(lo, hi, 2 * j + 1);
                int s = so + 2 * g;
                mins += dmin * (Q4_K.min(lo, hi, 2 * j) * sums32[s] + Q4_K.min(lo, hi, 2 * j + 1) * sums32[s + 1]);
                IntVector tl0 = IOTA.mul(dl).reinterpretAsInts(), tl1 = IOTA16.mul(dl).reinterpretAsInts();
                IntVector th0 = IOTA.mul(dh).reinterpretAsInts(), th1 = IOTA16.mul(dh).reinterpretAsInts();
                long q = bo + QS + 32 * j;
                int xb = xo + 64 * g;
                IntVector v0 = (IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, q, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector v1 = (IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, q + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector h0 = ((IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, bo + QH, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0))
                        .lanewise(VectorOperators.LSHR, 2 * j);
                IntVector h1 = ((IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, bo + QH + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0))
                        .lanewise(VectorOperators.LSHR, 2 * j);
                // codes: nibble | fifth bit·16; selectFrom(t0, t1) reads the low 5 bits
                a1 = v0.and(0x0F).or(h0.lanewise(VectorOperators.LSHL, 4)).selectFrom(tl0, tl1).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb), a1);
                a2 = v1.and(0x0F).or(h1.lanewise(VectorOperators.LSHL, 4)).selectFrom(tl0, tl1).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 16), a2);
                a1 = v0.lanewise(VectorOperators.LSHR, 4).or(h0.and(2).lanewise(VectorOperators.LSHL, 3)).selectFrom(th0, th1).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 32), a1);
                a2 = v1.lanewise(VectorOperators.LSHR, 4).or(h1.and(2).lanewise(VectorOperators.LSHL, 3)).selectFrom(th0, th1).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb + 48), a2);
            }
            out[oo + r] = a1.add(a2).reduceLanes(VectorOperators.ADD) - mins;
        }
    }

    private static final FloatVector IOTA = FloatVector.fromArray(F, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 0);
    private static final FloatVector IOTA16 = FloatVector.fromArray(F, new float[] {16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}, 0);

    public static float dotScalar(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            float d = Blocks.f16(w, off), dmin = Blocks.f16(w, off + 2);
            long lo = w.get(I64, off + SCALES);
            int hi = w.get(I32, off + SCALES + 8);
            for (int g = 0; g < 4; g++) {
                float s1 = 0, s2 = 0, x1 = 0, x2 = 0;
                int xb = xo + c + 64 * g;
                for (int i = 0; i < 32; i++) {
                    int q = Blocks.u8(w, off + QS + 32 * g + i), h = Blocks.u8(w, off + QH + i) >> (2 * g);
                    s1 += ((q & 0xF) | ((h & 1) << 4)) * x[xb + i];
                    s2 += ((q >> 4) | ((h & 2) << 3)) * x[xb + 32 + i];
                    x1 += x[xb + i];
                    x2 += x[xb + 32 + i];
                }
                acc += d * Q4_K.scale(lo, hi, 2 * g) * s1 - dmin * Q4_K.min(lo, hi, 2 * g) * x1;
                acc += d * Q4_K.scale(lo, hi, 2 * g + 1) * s2 - dmin * Q4_K.min(lo, hi, 2 * g + 1) * x2;
            }
        }
        return acc;
    }
}
