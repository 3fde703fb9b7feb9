package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.LE;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.F;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.I;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.S;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The {@link InterleavedRows} kernel for Q6_K: the low four and the top two bits of the codes are multiplied
 * separately in 16-bit lanes (products of a 6-bit code would leave room for only four per lane), per half of
 * each 32-value lane since the halves have their own scales; then per half scale·d_x·(Σ lo·q + 16·Σ hi·q − 32·Σ q).
 */
final class InterleavedQ6_K {
    private InterleavedQ6_K() {}

    private static final int L = InterleavedRows.LANES, H = L / 2;

    static void matvec(MemorySegment w, long rowBytes, int groups, int from, int to, Q8Lanes x, float[] out, int oo) {
        short[] xq = x.q;
        float[] dx = x.d, negLo = x.negSumLo, negHi = x.negSumHi;
        long gb = 32L * L;
        for (int r = from; r < to; r++) {
            FloatVector acc = FloatVector.zero(F);
            long go = r * rowBytes;
            for (int g = 0; g < groups; g++, go += gb) {
                ShortVector lo0 = ShortVector.zero(S), lo1 = ShortVector.zero(S), hi0 = ShortVector.zero(S), hi1 = ShortVector.zero(S);
                int xg = g * 32 * L;
                // per step: low-bit words m and m+1 and high-bit word m/2, all three holding codes 4m .. 4m+7
                for (int m = 0; m < 8; m += 2) {
                    ShortVector v = ShortVector.fromMemorySegment(S, w, go + 2L * m * L, LE);
                    ShortVector u = ShortVector.fromMemorySegment(S, w, go + 2L * (m + 1) * L, LE);
                    ShortVector t = ShortVector.fromMemorySegment(S, w, go + 16L * L + 2L * (m / 2) * L, LE);
                    int xm = xg + 4 * m * L;
                    ShortVector x0 = ShortVector.fromArray(S, xq, xm), x1 = ShortVector.fromArray(S, xq, xm + L);
                    ShortVector x2 = ShortVector.fromArray(S, xq, xm + 2 * L), x3 = ShortVector.fromArray(S, xq, xm + 3 * L);
                    ShortVector x4 = ShortVector.fromArray(S, xq, xm + 4 * L), x5 = ShortVector.fromArray(S, xq, xm + 5 * L);
                    ShortVector x6 = ShortVector.fromArray(S, xq, xm + 6 * L), x7 = ShortVector.fromArray(S, xq, xm + 7 * L);
                    ShortVector p = v.and((short) 15).mul(x0)
                            .add(v.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(x1))
                            .add(v.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(x2))
                            .add(v.lanewise(VectorOperators.LSHR, 12).mul(x3))
                            .add(u.and((short) 15).mul(x4))
                            .add(u.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(x5))
                            .add(u.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(x6))
                            .add(u.lanewise(VectorOperators.LSHR, 12).mul(x7));
                    ShortVector q = t.and((short) 3).mul(x0)
                            .add(t.lanewise(VectorOperators.LSHR, 2).and((short) 3).mul(x1))
                            .add(t.lanewise(VectorOperators.LSHR, 4).and((short) 3).mul(x2))
                            .add(t.lanewise(VectorOperators.LSHR, 6).and((short) 3).mul(x3))
                            .add(t.lanewise(VectorOperators.LSHR, 8).and((short) 3).mul(x4))
                            .add(t.lanewise(VectorOperators.LSHR, 10).and((short) 3).mul(x5))
                            .add(t.lanewise(VectorOperators.LSHR, 12).and((short) 3).mul(x6))
                            .add(t.lanewise(VectorOperators.LSHR, 14).mul(x7));
                    if (m < 4) {
                        lo0 = p.add(lo0);
                        hi0 = q.add(hi0);
                    } else {
                        lo1 = p.add(lo1);
                        hi1 = q.add(hi1);
                    }
                }
                int b = g * L;
                long sc = go + 24L * L;
                // half 0 (codes 0-15) of lanes 0..H-1 and H..L-1, then half 1
                IntVector t00 = ((IntVector) lo0.convertShape(VectorOperators.S2I, I, 0)).add(((IntVector) hi0.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 4));
                IntVector t01 = ((IntVector) lo0.convertShape(VectorOperators.S2I, I, 1)).add(((IntVector) hi0.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 4));
                IntVector t10 = ((IntVector) lo1.convertShape(VectorOperators.S2I, I, 0)).add(((IntVector) hi1.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 4));
                IntVector t11 = ((IntVector) lo1.convertShape(VectorOperators.S2I, I, 1)).add(((IntVector) hi1.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 4));
                FloatVector s00 = FloatVector.fromMemorySegment(F, w, sc, LE), s01 = FloatVector.fromMemorySegment(F, w, sc + 4L * H, LE);
                FloatVector s10 = FloatVector.fromMemorySegment(F, w, sc + 4L * L, LE), s11 = FloatVector.fromMemorySegment(F, w, sc + 4L * (L + H), LE);
                FloatVector d0 = FloatVector.fromArray(F, dx, b), d1 = FloatVector.fromArray(F, dx, b + H);
                acc = ((FloatVector) t00.convertShape(VectorOperators.I2F, F, 0)).mul(s00).fma(d0, acc);
                acc = ((FloatVector) t01.convertShape(VectorOperators.I2F, F, 0)).mul(s01).fma(d1, acc);
                acc = ((FloatVector) t10.convertShape(VectorOperators.I2F, F, 0)).mul(s10).fma(d0, acc);
                acc = ((FloatVector) t11.convertShape(VectorOperators.I2F, F, 0)).mul(s11).fma(d1, acc);
                acc = s00.mul(32f).fma(FloatVector.fromArray(F, negLo, b), acc);
                acc = s01.mul(32f).fma(FloatVector.fromArray(F, negLo, b + H), acc);
                acc = s10.mul(32f).fma(FloatVector.fromArray(F, negHi, b), acc);
                acc = s11.mul(32f).fma(FloatVector.fromArray(F, negHi, b + H), acc);
            }
            out[oo + r] = acc.reduceLanes(VectorOperators.ADD);
        }
    }
}
