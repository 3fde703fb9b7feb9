package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link InterleavedRows} kernel for Q4_0: per group, Σ code·q in 16-bit lanes (one lane per block), then
 * per lane d·d_x·(Σ code·q − 8·Σ q) in f32.
 */
final class InterleavedQ4_0 {
    private InterleavedQ4_0() {}

    static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = InterleavedRows.LANES, H = L / 2;
    /**
     * The integer scales of half a group: one byte per lane, loaded per half so each widens with part 0 (a
     * part-1 widening from a wider byte vector measured 3× slower for the whole Q4_K kernel).
     */
    static final VectorSpecies<Byte> SCALE_BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * Math.max(H, 8)));
    /**
     * Lanes 8–15 of a 16-lane float vector: the second super-block of a half group (AVX-512). The kernels
     * build a half group's super-block scales inline as broadcast(d_first).blend(d_second, this): a helper
     * returning the vector was not inlined into the large kernels (C2's node-count cutoff) and boxed it.
     */
    static final VectorMask<Float> SECOND_SUPER_BLOCK = VectorMask.fromLong(F, H == 16 ? 0xFF00L : 0L);

    /** Bytes from lane p·H's super-block scale to that of lane p·H + 8 (the same one when H = 8). */
    static final int NEXT_SUPER_BLOCK = H == 16 ? 4 : 0;

    static void matvec(InterleavedRows packed, int from, int to, Q8Lanes x, float[] out, int oo) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q;
        float[] dx = x.d, negSum = x.negSum;
        long gb = 20L * L;
        for (int r = from; r < to; r++) {
            FloatVector acc = FloatVector.zero(F);
            // a row's groups are contiguous; with shared tails an odd row visits its tail first, and its
            // activation groups start one earlier than an even row's (InterleavedRows)
            long go = packed.rowStart(r);
            int ao = packed.activationOffset(r);
            for (int g = 0; g < groups; g++, go += gb) {
                ShortVector a0 = ShortVector.zero(S), a1 = ShortVector.zero(S);
                int xg = (g + ao) * 32 * L;
                // two words (8 codes per lane) per step; a0 takes codes 0-15, a1 codes 16-31: 16 products of at
                // most 15·127 per lane each, within 16 bits
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
                FloatVector dLo = FloatVector.fromMemorySegment(F, w, go + 16L * L, LE);
                FloatVector dHi = FloatVector.fromMemorySegment(F, w, go + 16L * L + 4L * H, LE);
                acc = ((FloatVector) lo.convertShape(VectorOperators.I2F, F, 0)).mul(dLo).fma(FloatVector.fromArray(F, dx, b), acc);
                acc = ((FloatVector) hi.convertShape(VectorOperators.I2F, F, 0)).mul(dHi).fma(FloatVector.fromArray(F, dx, b + H), acc);
                acc = dLo.mul(8f).fma(FloatVector.fromArray(F, negSum, b), acc);
                acc = dHi.mul(8f).fma(FloatVector.fromArray(F, negSum, b + H), acc);
            }
            out[oo + r] = acc.reduceLanes(VectorOperators.ADD);
        }
    }
}
