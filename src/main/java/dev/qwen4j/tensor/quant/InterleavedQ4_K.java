package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.LE;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.F;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.I;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.S;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.NEXT_SUPER_BLOCK;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.SCALE_BYTES;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.SECOND_SUPER_BLOCK;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The {@link InterleavedRows} kernel for Q4_K: one lane per 32-value sub-block, Σ code·q in 16-bit lanes as for
 * Q4_0, then per lane d_x·(d·sc·Σ code·q − dmin·m·Σ q) in f32, the integer scales and mins widened per group
 * and multiplied by their super-block's d and dmin.
 */
final class InterleavedQ4_K {
    private InterleavedQ4_K() {}

    private static final int L = InterleavedRows.LANES, H = L / 2;

    static void matvec(InterleavedRows packed, int from, int to, Q8Lanes x, float[] out, int oo) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q;
        float[] dx = x.d, negSum = x.negSum;
        long gb = 19L * L;
        for (int r = from; r < to; r++) {
            FloatVector acc = FloatVector.zero(F);
            // a row's groups are contiguous; with shared tails an odd row visits its tail first, and its
            // activation groups start one earlier than an even row's (InterleavedRows)
            long go = packed.rowStart(r);
            int ao = packed.activationOffset(r);
            for (int g = 0; g < groups; g++, go += gb) {
                ShortVector a0 = ShortVector.zero(S), a1 = ShortVector.zero(S);
                int xg = (g + ao) * 32 * L;
                for (int m = 0; m < 8; m += 2) {
                    ShortVector v = ShortVector.fromMemorySegment(S, w, go + 2L * m * L, LE);
                    ShortVector u = ShortVector.fromMemorySegment(S, w, go + 2L * (m + 1) * L, LE);
                    int xm = xg + 4 * m * L;
                    ShortVector p = v.and((short) 15).mul(ShortVector.fromArray(S, xq, xm))
                            .add(v.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + L)))
                            .add(v.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 2 * L)))
                            .add(v.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xq, xm + 3 * L)))
                            .add(u.and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 4 * L)))
                            .add(u.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 5 * L)))
                            .add(u.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 6 * L)))
                            .add(u.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xq, xm + 7 * L)));
                    if (m < 4) a0 = p.add(a0);
                    else a1 = p.add(a1);
                }
                IntVector lo = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a1.convertShape(VectorOperators.S2I, I, 0));
                IntVector hi = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a1.convertShape(VectorOperators.S2I, I, 1));
                int b = (g + ao) * L;
                long sc = go + 16L * L, supers = sc + 2L * L, mins = supers + L / 2;
                FloatVector s0 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers)).blend(w.get(InterleavedRows.F32, supers + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector s1 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + H, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers + 4L * H / 8)).blend(w.get(InterleavedRows.F32, supers + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector m0 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, mins)).blend(w.get(InterleavedRows.F32, mins + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector m1 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L + H, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, mins + 4L * H / 8)).blend(w.get(InterleavedRows.F32, mins + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                acc = ((FloatVector) lo.convertShape(VectorOperators.I2F, F, 0)).mul(s0).fma(FloatVector.fromArray(F, dx, b), acc);
                acc = ((FloatVector) hi.convertShape(VectorOperators.I2F, F, 0)).mul(s1).fma(FloatVector.fromArray(F, dx, b + H), acc);
                acc = m0.fma(FloatVector.fromArray(F, negSum, b), acc);
                acc = m1.fma(FloatVector.fromArray(F, negSum, b + H), acc);
            }
            out[oo + r] = acc.reduceLanes(VectorOperators.ADD);
        }
    }
}
