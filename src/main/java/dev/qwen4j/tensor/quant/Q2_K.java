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
 * ggml block_q2_K (type 10), 256 values as 16 sub-blocks of 16: {uint8 scales[16]; uint8 qs[64]; f16 d;
 * f16 dmin}. scales[j] holds sub-block j's 4-bit scale (low nibble) and 4-bit min (high nibble); value =
 * d·sc·q − dmin·m. Each 128-value half uses 32 bytes of qs: for l &lt; 32, values l, l+32, l+64, l+96 are
 * the 2-bit fields 0..3 of qs[l].
 */
public final class Q2_K {
    private Q2_K() {}

    public static final int QK = 256;
    public static final int BYTES = 84;
    private static final int QS = 16, D = 80, DMIN = 82;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);

    /** llama.cpp's quantize_row_q2_K_ref (no importance matrix). */
    public static void quantizeRow(float[] x, int xOff, int n, MemorySegment dst, long off) {
        int[] l = new int[QK];
        int[] laux = new int[16];
        float[] weights = new float[16];
        float[] mins = new float[QK / 16];
        float[] scales = new float[QK / 16];
        float[] minOut = new float[1];
        byte[] sc = new byte[QK / 16];
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            int xb = xOff + b * QK;
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < QK / 16; j++) {
                for (int i = 0; i < 16; i++) weights[i] = Math.abs(x[xb + 16 * j + i]);
                scales[j] = KQuantSearch.makeQkx2Quants(16, 3, x, xb + 16 * j, weights, l, 16 * j, minOut, laux,
                        -0.5f, 0.1f, 15, true);
                mins[j] = minOut[0];
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            if (maxScale > 0) {
                float iscale = 15.f / maxScale;
                for (int j = 0; j < QK / 16; j++) sc[j] = (byte) nearestInt(iscale * scales[j]);
                Blocks.putF16(dst, off + D, maxScale / 15.f);
            } else {
                java.util.Arrays.fill(sc, (byte) 0);
                Blocks.putF16(dst, off + D, 0.f);
            }
            if (maxMin > 0) {
                float iscale = 15.f / maxMin;
                // OR-ed into the uint8_t unmasked, as in C
                for (int j = 0; j < QK / 16; j++) sc[j] |= (byte) (nearestInt(iscale * mins[j]) << 4);
                Blocks.putF16(dst, off + DMIN, maxMin / 15.f);
            } else {
                Blocks.putF16(dst, off + DMIN, 0.f);
            }
            MemorySegment.copy(sc, 0, dst, I8, off, QK / 16);
            float dAll = Blocks.f16(dst, off + D), dminAll = Blocks.f16(dst, off + DMIN);
            for (int j = 0; j < QK / 16; j++) {
                float d = dAll * (sc[j] & 0xF);
                if (d == 0) continue; // keep the levels the search chose
                float dm = dminAll * ((sc[j] & 0xFF) >> 4);
                for (int i = 0; i < 16; i++) {
                    int q = nearestInt((x[xb + 16 * j + i] + dm) / d);
                    l[16 * j + i] = Math.max(0, Math.min(3, q));
                }
            }
            for (int j = 0; j < QK; j += 128) {
                for (int i = 0; i < 32; i++) {
                    dst.set(I8, off + QS + j / 4 + i,
                            (byte) (l[j + i] | (l[j + i + 32] << 2) | (l[j + i + 64] << 4) | (l[j + i + 96] << 6)));
                }
            }
        }
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off + D), dmin = Blocks.f16(src, off + DMIN);
            for (int h = 0; h < 2; h++) {
                long q = off + QS + 32 * h;
                int yb = yOff + b * QK + 128 * h;
                for (int s = 0; s < 4; s++) {
                    for (int t = 0; t < 2; t++) {
                        int sc = Blocks.u8(src, off + 8 * h + 2 * s + t);
                        float dl = d * (sc & 0xF), ml = dmin * (sc >> 4);
                        for (int i = 16 * t; i < 16 * t + 16; i++) {
                            y[yb + 32 * s + i] = dl * ((Blocks.u8(src, q + i) >> (2 * s)) & 3) - ml;
                        }
                    }
                }
            }
        }
    }

    /** Vector twin of {@link #dequantizeRow}, bit-identical ((d·sc)·q − dmin·m, no FMA). */
    public static void dequantizeRowVector(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int c = 0; c < n; c += QK, off += BYTES) {
            float d = Blocks.f16(src, off + D), dmin = Blocks.f16(src, off + DMIN);
            for (int h = 0; h < 2; h++) {
                // this half's 8 scale bytes in one read
                long sc = src.get(I64, off + 8 * h);
                int yb = yOff + c + 128 * h;
                for (int i = 0; i < 32; i += L) {
                    IntVector b = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, src, off + QS + 32 * h + i, LE));
                    for (int s = 0; s < 4; s++) {
                        int v = (int) (sc >>> (8 * (2 * s + i / 16))) & 0xFF;
                        float dl = d * (v & 0xF), ml = dmin * (v >> 4);
                        Blocks.intsToFloats(b.lanewise(VectorOperators.ASHR, 2 * s).and(3)).mul(dl).sub(ml)
                                .intoArray(y, yb + 32 * s + i);
                    }
                }
            }
        }
    }

    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        int k = i % QK, h = k / 128, s = (k % 128) / 32, l = k % 32;
        int q = (Blocks.u8(src, bo + QS + 32 * h + l) >> (2 * s)) & 3;
        int sc = Blocks.u8(src, bo + k / 16);
        return Blocks.f16(src, bo + D) * (sc & 0xF) * q - Blocks.f16(src, bo + DMIN) * (sc >> 4);
    }

    /**
     * Σ W[c]·x[xo + c]. One flat loop over 128-value halves (32 bytes of qs, 8 scale bytes), the header
     * re-read per half rather than nesting loops that carry vectors (see {@link Q4_K#dot}). Each byte load
     * feeds the four 2-bit planes, and each plane's weights d·sc·q − dmin·m are one FMA from the levels
     * (a sub-block of 16 is at most one vector, so folding the mins through activation sums saves nothing).
     */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        for (int g = 0; g < cols / 128; g++) {
            long bo = off + (long) (g >> 1) * BYTES;
            int h = g & 1;
            float d = Blocks.f16(w, bo + D), dmin = Blocks.f16(w, bo + DMIN);
            long sc = w.get(I64, bo + 8 * h);
            long q = bo + QS + 32 * h;
            int xg = xo + 128 * g;
            for (int i = 0; i < 32; i += L) {
                int t = 8 * (i / 16);
                IntVector b = Blocks.bytesToInts(ByteVector.fromMemorySegment(B, w, q + i, LE));
                int v0 = (int) (sc >>> t) & 0xFF, v1 = (int) (sc >>> (t + 16)) & 0xFF;
                int v2 = (int) (sc >>> (t + 32)) & 0xFF, v3 = (int) (sc >>> (t + 48)) & 0xFF;
                a0 = Blocks.intsToFloats(b.and(3)).fma(d * (v0 & 0xF), -(dmin * (v0 >> 4)))
                        .fma(FloatVector.fromArray(F, x, xg + i), a0);
                a1 = Blocks.intsToFloats(b.lanewise(VectorOperators.ASHR, 2).and(3)).fma(d * (v1 & 0xF), -(dmin * (v1 >> 4)))
                        .fma(FloatVector.fromArray(F, x, xg + 32 + i), a1);
                a2 = Blocks.intsToFloats(b.lanewise(VectorOperators.ASHR, 4).and(3)).fma(d * (v2 & 0xF), -(dmin * (v2 >> 4)))
                        .fma(FloatVector.fromArray(F, x, xg + 64 + i), a2);
                a3 = Blocks.intsToFloats(b.lanewise(VectorOperators.ASHR, 6).and(3)).fma(d * (v3 & 0xF), -(dmin * (v3 >> 4)))
                        .fma(FloatVector.fromArray(F, x, xg + 96 + i), a3);
            }
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    public static float dotScalar(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            float d = Blocks.f16(w, off + D), dmin = Blocks.f16(w, off + DMIN);
            for (int h = 0; h < 2; h++) {
                long q = off + QS + 32 * h;
                int xb = xo + c + 128 * h;
                for (int s = 0; s < 4; s++) {
                    for (int t = 0; t < 2; t++) {
                        int sc = Blocks.u8(w, off + 8 * h + 2 * s + t);
                        float sq = 0, sx = 0;
                        for (int i = 16 * t; i < 16 * t + 16; i++) {
                            float xi = x[xb + 32 * s + i];
                            sq += ((Blocks.u8(w, q + i) >> (2 * s)) & 3) * xi;
                            sx += xi;
                        }
                        acc += d * (sc & 0xF) * sq - dmin * (sc >> 4) * sx;
                    }
                }
            }
        }
        return acc;
    }
}
