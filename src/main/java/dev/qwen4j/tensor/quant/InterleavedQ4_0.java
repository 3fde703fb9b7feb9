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
        if (packed.pairBytes == 0) {
            matvecRows(packed, from, to, x, out, oo);
            return;
        }
        // whole pairs in one flat loop; a lone row at either end of the range alone, as a row of its own
        int a = Math.min(from + (from & 1), to), b = a + (to - a) / 2 * 2;
        if (from < a) matvecRows(packed, from, a, x, out, oo);
        if (a < b) flatPairs(packed, a, b, x, out, oo);
        if (b < to) matvecRows(packed, b, to, x, out, oo);
    }

    /**
     * Rows with groups of their own, which lie back to back, or one row of a pair (an odd row starts with the
     * shared tail, and its activation groups one earlier: ao): one loop over every word-pair step of rows
     * [from, to), the group's scales applied every fourth step and a row's sum stored after its last group.
     * One flat loop rather than loops over rows, groups and steps: C2 sets up the range checks of a loop on
     * every entry, which for a 4-step loop over a 1024-value row cost about as much as its products (flat:
     * 0.74× the time of a 1024 × 1024 product, 1.15× Q4_0 tg128).
     */
    private static void matvecRows(InterleavedRows packed, int from, int to, Q8Lanes x, float[] out, int oo) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q;
        float[] dx = x.d, negSum = x.negSum;
        long gb = 20L * L;
        int steps = (to - from) * groups * 4;
        long go = packed.rowStart(from);
        int ao = packed.activationOffset(from), r = from, g = 0;
        ShortVector p0 = ShortVector.zero(S), p1 = p0, p2 = p0, p3 = p0;
        FloatVector accLo = FloatVector.zero(F), accHi = FloatVector.zero(F);
        for (int k = 0; k < steps; k++) {
            int m = 2 * (k & 3);
            ShortVector v = ShortVector.fromMemorySegment(S, w, go + 2L * m * L, LE);
            ShortVector u = ShortVector.fromMemorySegment(S, w, go + 2L * (m + 1) * L, LE);
            int xm = (g + ao) * 32 * L + 4 * m * L;
            // the word pair's eight products written out (README, kernel rules: no vector helpers in kernels)
            ShortVector p = v.and((short) 15).mul(ShortVector.fromArray(S, xq, xm))
                    .add(v.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + L)))
                    .add(v.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 2 * L)))
                    .add(v.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xq, xm + 3 * L)))
                    .add(u.and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 4 * L)))
                    .add(u.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 5 * L)))
                    .add(u.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 6 * L)))
                    .add(u.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xq, xm + 7 * L)));
            // the last four steps' products, newest first: at a group's end p3, p2 hold codes 0-15 and p1, p0
            // codes 16-31, summed in pairs there (16 products, all a 16-bit lane holds), not in accumulators a
            // branch chose between: C2 boxed those when it compiled without type profiles
            p3 = p2;
            p2 = p1;
            p1 = p0;
            p0 = p;
            if (m == 6) {
                ShortVector a0 = p3.add(p2), a1 = p1.add(p0);
                IntVector lo = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a1.convertShape(VectorOperators.S2I, I, 0));
                IntVector hi = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a1.convertShape(VectorOperators.S2I, I, 1));
                int b = (g + ao) * L;
                FloatVector dLo = FloatVector.fromMemorySegment(F, w, go + 16L * L, LE);
                FloatVector dHi = FloatVector.fromMemorySegment(F, w, go + 16L * L + 4L * H, LE);
                accLo = ((FloatVector) lo.convertShape(VectorOperators.I2F, F, 0)).mul(dLo).fma(FloatVector.fromArray(F, dx, b), accLo);
                accHi = ((FloatVector) hi.convertShape(VectorOperators.I2F, F, 0)).mul(dHi).fma(FloatVector.fromArray(F, dx, b + H), accHi);
                accLo = dLo.mul(8f).fma(FloatVector.fromArray(F, negSum, b), accLo);
                accHi = dHi.mul(8f).fma(FloatVector.fromArray(F, negSum, b + H), accHi);
                go += gb;
                if (++g == groups) {
                    out[oo + r++] = accLo.add(accHi).reduceLanes(VectorOperators.ADD);
                    accLo = FloatVector.zero(F);
                    accHi = FloatVector.zero(F);
                    g = 0;
                }
            }
        }
    }

    /**
     * {@link #matvecRows} for two activation vectors at once (rows with groups of their own): each word's codes
     * are unpacked once for both (as {@link InterleavedQ4_K#matvecRows2}).
     */
    static void matvecRows2(InterleavedRows packed, int from, int to, Q8Lanes x, Q8Lanes y, float[] outX, int ox, float[] outY, int oy) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q, yq = y.q;
        float[] dx = x.d, negSumX = x.negSum, dy = y.d, negSumY = y.negSum;
        long gb = 20L * L;
        int steps = (to - from) * groups * 4;
        long go = packed.rowStart(from);
        int r = from, g = 0;
        ShortVector xPrev = ShortVector.zero(S), xHalf = xPrev, yPrev = xPrev, yHalf = xPrev;
        FloatVector xLo = FloatVector.zero(F), xHi = xLo, yLo = xLo, yHi = xLo;
        for (int k = 0; k < steps; k++) {
            int m = 2 * (k & 3);
            ShortVector v = ShortVector.fromMemorySegment(S, w, go + 2L * m * L, LE);
            ShortVector u = ShortVector.fromMemorySegment(S, w, go + 2L * (m + 1) * L, LE);
            ShortVector v0 = v.and((short) 15), v1 = v.lanewise(VectorOperators.LSHR, 4).and((short) 15);
            ShortVector v2 = v.lanewise(VectorOperators.LSHR, 8).and((short) 15), v3 = v.lanewise(VectorOperators.LSHR, 12);
            ShortVector u0 = u.and((short) 15), u1 = u.lanewise(VectorOperators.LSHR, 4).and((short) 15);
            ShortVector u2 = u.lanewise(VectorOperators.LSHR, 8).and((short) 15), u3 = u.lanewise(VectorOperators.LSHR, 12);
            int xm = g * 32 * L + 4 * m * L, xn = xm + 4 * L;
            // written out, shared by both vectors (README, kernel rules: no vector helpers in kernels)
            ShortVector px = v0.mul(ShortVector.fromArray(S, xq, xm)).add(v1.mul(ShortVector.fromArray(S, xq, xm + L)))
                    .add(v2.mul(ShortVector.fromArray(S, xq, xm + 2 * L))).add(v3.mul(ShortVector.fromArray(S, xq, xm + 3 * L)))
                    .add(u0.mul(ShortVector.fromArray(S, xq, xn))).add(u1.mul(ShortVector.fromArray(S, xq, xn + L)))
                    .add(u2.mul(ShortVector.fromArray(S, xq, xn + 2 * L))).add(u3.mul(ShortVector.fromArray(S, xq, xn + 3 * L)));
            ShortVector py = v0.mul(ShortVector.fromArray(S, yq, xm)).add(v1.mul(ShortVector.fromArray(S, yq, xm + L)))
                    .add(v2.mul(ShortVector.fromArray(S, yq, xm + 2 * L))).add(v3.mul(ShortVector.fromArray(S, yq, xm + 3 * L)))
                    .add(u0.mul(ShortVector.fromArray(S, yq, xn))).add(u1.mul(ShortVector.fromArray(S, yq, xn + L)))
                    .add(u2.mul(ShortVector.fromArray(S, yq, xn + 2 * L))).add(u3.mul(ShortVector.fromArray(S, yq, xn + 3 * L)));
            // sums of the last two steps' products (16 products, all a 16-bit lane holds); at m = 2 the first half
            // group's (codes 0-15) is kept by a blend, not a branch. C2 boxed sums a branch chose between (without
            // type profiles), and in this kernel also px and py when they went through a window of the last four
            // steps as in matvecRows (49 KB per call, after the one-vector kernel had run; README, kernel rules)
            ShortVector xPair = xPrev.add(px), yPair = yPrev.add(py);
            if (m == 6) {
                ShortVector xa0 = xHalf, xa1 = xPair, ya0 = yHalf, ya1 = yPair;
                int b = g * L;
                FloatVector dLo = FloatVector.fromMemorySegment(F, w, go + 16L * L, LE);
                FloatVector dHi = FloatVector.fromMemorySegment(F, w, go + 16L * L + 4L * H, LE);
                FloatVector d8Lo = dLo.mul(8f), d8Hi = dHi.mul(8f);
                IntVector lo = ((IntVector) xa0.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) xa1.convertShape(VectorOperators.S2I, I, 0));
                IntVector hi = ((IntVector) xa0.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) xa1.convertShape(VectorOperators.S2I, I, 1));
                xLo = ((FloatVector) lo.convertShape(VectorOperators.I2F, F, 0)).mul(dLo).fma(FloatVector.fromArray(F, dx, b), xLo);
                xHi = ((FloatVector) hi.convertShape(VectorOperators.I2F, F, 0)).mul(dHi).fma(FloatVector.fromArray(F, dx, b + H), xHi);
                xLo = d8Lo.fma(FloatVector.fromArray(F, negSumX, b), xLo);
                xHi = d8Hi.fma(FloatVector.fromArray(F, negSumX, b + H), xHi);
                lo = ((IntVector) ya0.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) ya1.convertShape(VectorOperators.S2I, I, 0));
                hi = ((IntVector) ya0.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) ya1.convertShape(VectorOperators.S2I, I, 1));
                yLo = ((FloatVector) lo.convertShape(VectorOperators.I2F, F, 0)).mul(dLo).fma(FloatVector.fromArray(F, dy, b), yLo);
                yHi = ((FloatVector) hi.convertShape(VectorOperators.I2F, F, 0)).mul(dHi).fma(FloatVector.fromArray(F, dy, b + H), yHi);
                yLo = d8Lo.fma(FloatVector.fromArray(F, negSumY, b), yLo);
                yHi = d8Hi.fma(FloatVector.fromArray(F, negSumY, b + H), yHi);
                go += gb;
                if (++g == groups) {
                    outX[ox + r] = xLo.add(xHi).reduceLanes(VectorOperators.ADD);
                    outY[oy + r++] = yLo.add(yHi).reduceLanes(VectorOperators.ADD);
                    xLo = FloatVector.zero(F);
                    xHi = xLo;
                    yLo = xLo;
                    yHi = xLo;
                    g = 0;
                }
            }
            VectorMask<Short> firstHalf = S.maskAll(m == 2);
            xHalf = xHalf.blend(xPair, firstHalf);
            yHalf = yHalf.blend(yPair, firstHalf);
            xPrev = px;
            yPrev = py;
        }
    }

    /**
     * Whole row pairs [from, to) that share their tail group ({@link InterleavedRows}), pairs back to back, in one
     * flat loop: a pair's 2·full + 1 groups in storage order, lanes 0..H-1 and H..L-1 accumulating apart, so the
     * shared tail (the even row's blocks below, the odd row's above) is read once for both against the
     * activations' both-halves copy (9728 × 2560 on one core: 0.68–0.90 of the time of two passes).
     */
    private static void flatPairs(InterleavedRows packed, int from, int to, Q8Lanes x, float[] out, int oo) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q;
        float[] dx = x.d, negSum = x.negSum;
        long gb = 20L * L;
        int full = packed.full, n = 2 * full + 1;
        int steps = (to - from) / 2 * n * 4;
        long go = packed.rowStart(from);
        int r = from, g = 0, slot = full > 0 ? 1 : 2;
        float first = 0f, tailLo = 0f;
        ShortVector p0 = ShortVector.zero(S), p1 = p0, p2 = p0, p3 = p0;
        FloatVector accLo = FloatVector.zero(F), accHi = FloatVector.zero(F);
        for (int k = 0; k < steps; k++) {
            int m = 2 * (k & 3);
            ShortVector v = ShortVector.fromMemorySegment(S, w, go + 2L * m * L, LE);
            ShortVector u = ShortVector.fromMemorySegment(S, w, go + 2L * (m + 1) * L, LE);
            int xm = slot * 32 * L + 4 * m * L;
            // the word pair's eight products written out (README, kernel rules: no vector helpers in kernels)
            ShortVector p = v.and((short) 15).mul(ShortVector.fromArray(S, xq, xm))
                    .add(v.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + L)))
                    .add(v.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 2 * L)))
                    .add(v.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xq, xm + 3 * L)))
                    .add(u.and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 4 * L)))
                    .add(u.lanewise(VectorOperators.LSHR, 4).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 5 * L)))
                    .add(u.lanewise(VectorOperators.LSHR, 8).and((short) 15).mul(ShortVector.fromArray(S, xq, xm + 6 * L)))
                    .add(u.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S, xq, xm + 7 * L)));
            // the last four steps' products, newest first: at a group's end p3, p2 hold codes 0-15 and p1, p0
            // codes 16-31, summed in pairs there (16 products, all a 16-bit lane holds), not in accumulators a
            // branch chose between: C2 boxed those when it compiled without type profiles
            p3 = p2;
            p2 = p1;
            p1 = p0;
            p0 = p;
            if (m == 6) {
                ShortVector a0 = p3.add(p2), a1 = p1.add(p0);
                IntVector lo = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a1.convertShape(VectorOperators.S2I, I, 0));
                IntVector hi = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a1.convertShape(VectorOperators.S2I, I, 1));
                int b = slot * L;
                FloatVector dLo = FloatVector.fromMemorySegment(F, w, go + 16L * L, LE);
                FloatVector dHi = FloatVector.fromMemorySegment(F, w, go + 16L * L + 4L * H, LE);
                accLo = ((FloatVector) lo.convertShape(VectorOperators.I2F, F, 0)).mul(dLo).fma(FloatVector.fromArray(F, dx, b), accLo);
                accHi = ((FloatVector) hi.convertShape(VectorOperators.I2F, F, 0)).mul(dHi).fma(FloatVector.fromArray(F, dx, b + H), accHi);
                accLo = dLo.mul(8f).fma(FloatVector.fromArray(F, negSum, b), accLo);
                accHi = dHi.mul(8f).fma(FloatVector.fromArray(F, negSum, b + H), accHi);
                go += gb;
                if (g == full) { // the shared tail: its lower lanes are the even row's
                    tailLo = accLo.reduceLanes(VectorOperators.ADD);
                    accLo = FloatVector.zero(F);
                }
                if (++g == n) { // accHi holds the tail's upper lanes (the odd row's) plus its whole groups
                    out[oo + r++] = first + tailLo;
                    out[oo + r++] = accLo.add(accHi).reduceLanes(VectorOperators.ADD);
                    accLo = FloatVector.zero(F);
                    accHi = FloatVector.zero(F);
                    g = 0;
                } else if (g == full) { // the even row's whole groups are done
                    first = accLo.add(accHi).reduceLanes(VectorOperators.ADD);
                    accLo = FloatVector.zero(F);
                    accHi = FloatVector.zero(F);
                }
                slot = g < full ? g + 1 : g == full ? full + 2 : g - full;
            }
        }
    }
}
