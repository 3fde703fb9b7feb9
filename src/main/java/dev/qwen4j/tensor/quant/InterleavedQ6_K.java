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
 * The {@link InterleavedRows} kernel for Q6_K: the codes are stored re-centred as signed bytes, two to a 16-bit
 * lane, so a shift pair gives a vector of codes; products of a 6-bit code and an 8-bit activation leave room
 * for 8 per 16-bit accumulator, so each 16-value half (which has its own scale) takes two; then per lane
 * d·d_x·(sc_0·Σ_0 + sc_1·Σ_1), the int8 scales applied in integer lanes (|Σ_h| ≤ 16·32·127, times 127: within 31 bits).
 */
final class InterleavedQ6_K {
    private InterleavedQ6_K() {}

    private static final int L = InterleavedRows.LANES, H = L / 2;

    static void matvec(MemorySegment w, long rowBytes, int groups, int from, int to, Q8Lanes x, float[] out, int oo) {
        short[] xq = x.q;
        float[] dx = x.d;
        long gb = 34L * L + L / 2;
        for (int r = from; r < to; r++) {
            FloatVector acc = FloatVector.zero(F);
            long go = r * rowBytes;
            for (int g = 0; g < groups; g++, go += gb) {
                ShortVector a0 = ShortVector.zero(S), a1 = ShortVector.zero(S), a2 = ShortVector.zero(S), a3 = ShortVector.zero(S);
                int xg = g * 32 * L;
                // per step four words: codes 8s .. 8s+7, one accumulator's worth
                for (int m = 0; m < 16; m += 4) {
                    ShortVector v0 = ShortVector.fromMemorySegment(S, w, go + 2L * m * L, LE);
                    ShortVector v1 = ShortVector.fromMemorySegment(S, w, go + 2L * (m + 1) * L, LE);
                    ShortVector v2 = ShortVector.fromMemorySegment(S, w, go + 2L * (m + 2) * L, LE);
                    ShortVector v3 = ShortVector.fromMemorySegment(S, w, go + 2L * (m + 3) * L, LE);
                    int xm = xg + 2 * m * L;
                    ShortVector p = v0.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(ShortVector.fromArray(S, xq, xm))
                            .add(v0.lanewise(VectorOperators.ASHR, 8).mul(ShortVector.fromArray(S, xq, xm + L)))
                            .add(v1.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(ShortVector.fromArray(S, xq, xm + 2 * L)))
                            .add(v1.lanewise(VectorOperators.ASHR, 8).mul(ShortVector.fromArray(S, xq, xm + 3 * L)))
                            .add(v2.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(ShortVector.fromArray(S, xq, xm + 4 * L)))
                            .add(v2.lanewise(VectorOperators.ASHR, 8).mul(ShortVector.fromArray(S, xq, xm + 5 * L)))
                            .add(v3.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).mul(ShortVector.fromArray(S, xq, xm + 6 * L)))
                            .add(v3.lanewise(VectorOperators.ASHR, 8).mul(ShortVector.fromArray(S, xq, xm + 7 * L)));
                    switch (m) {
                        case 0 -> a0 = p;
                        case 4 -> a1 = p;
                        case 8 -> a2 = p;
                        default -> a3 = p;
                    }
                }
                int b = g * L;
                long sc = go + 32L * L, supers = sc + 2L * L;
                IntVector t00 = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a1.convertShape(VectorOperators.S2I, I, 0));
                IntVector t01 = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a1.convertShape(VectorOperators.S2I, I, 1));
                IntVector t10 = ((IntVector) a2.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a3.convertShape(VectorOperators.S2I, I, 0));
                IntVector t11 = ((IntVector) a2.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a3.convertShape(VectorOperators.S2I, I, 1));
                // the int8 scales multiply the integer sums; d (one per super-block) and d_x apply per half group
                IntVector u0 = t00.mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc, LE).convertShape(VectorOperators.B2I, I, 0))
                        .add(t10.mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L, LE).convertShape(VectorOperators.B2I, I, 0)));
                IntVector u1 = t01.mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + H, LE).convertShape(VectorOperators.B2I, I, 0))
                        .add(t11.mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L + H, LE).convertShape(VectorOperators.B2I, I, 0)));
                FloatVector d0 = FloatVector.fromArray(F, dx, b).mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers)).blend(w.get(InterleavedRows.F32, supers + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector d1 = FloatVector.fromArray(F, dx, b + H).mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers + 4L * H / 8)).blend(w.get(InterleavedRows.F32, supers + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                acc = ((FloatVector) u0.convertShape(VectorOperators.I2F, F, 0)).fma(d0, acc);
                acc = ((FloatVector) u1.convertShape(VectorOperators.I2F, F, 0)).fma(d1, acc);
            }
            out[oo + r] = acc.reduceLanes(VectorOperators.ADD);
        }
    }
}
