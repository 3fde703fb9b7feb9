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
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The {@link InterleavedRows} kernel for Q3_K: the 3-bit codes (+ 4) as nibbles, summed against the 8-bit
 * activations in 16-bit lanes as for Q4_K but keeping the two 16-value halves apart, since each has its own
 * scale; then per lane d·d_x·(sc_0·(Σ_0 − 4·Σq_0) + sc_1·(Σ_1 − 4·Σq_1)), the signed 6-bit scales applied in
 * integer lanes (|Σ_h − 4·Σq_h| ≤ 16·4·127, times 32: far within 31 bits).
 */
final class InterleavedQ3_K {
    private InterleavedQ3_K() {}

    private static final int L = InterleavedRows.LANES, H = L / 2;

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
     * Rows with groups of their own, or one row of a pair (an odd row starts with the shared tail, and its
     * activation groups one earlier: ao): one flat loop over their word-pair steps, as in {@link InterleavedQ4_0}.
     */
    private static void matvecRows(InterleavedRows packed, int from, int to, Q8Lanes x, float[] out, int oo) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q;
        float[] dx = x.d;
        int[] sumLo = x.sumLo, sumHi = x.sumHi;
        long gb = InterleavedRows.groupBytes(dev.qwen4j.tensor.DType.Q3_K);
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
                int b = (g + ao) * L;
                long sc = go + 16L * L, supers = sc + 2L * L;
                // per lane p·H + i: sc_0·(Σ_0 − 4·Σq_0) + sc_1·(Σ_1 − 4·Σq_1) in int lanes
                IntVector u0 = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 0))
                        .sub(IntVector.fromArray(I, sumLo, b).lanewise(VectorOperators.LSHL, 2))
                        .mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc, LE).convertShape(VectorOperators.B2I, I, 0))
                        .add(((IntVector) a1.convertShape(VectorOperators.S2I, I, 0))
                                .sub(IntVector.fromArray(I, sumHi, b).lanewise(VectorOperators.LSHL, 2))
                                .mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L, LE).convertShape(VectorOperators.B2I, I, 0)));
                IntVector u1 = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 1))
                        .sub(IntVector.fromArray(I, sumLo, b + H).lanewise(VectorOperators.LSHL, 2))
                        .mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + H, LE).convertShape(VectorOperators.B2I, I, 0))
                        .add(((IntVector) a1.convertShape(VectorOperators.S2I, I, 1))
                                .sub(IntVector.fromArray(I, sumHi, b + H).lanewise(VectorOperators.LSHL, 2))
                                .mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L + H, LE).convertShape(VectorOperators.B2I, I, 0)));
                FloatVector d0 = FloatVector.fromArray(F, dx, b).mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers)).blend(w.get(InterleavedRows.F32, supers + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector d1 = FloatVector.fromArray(F, dx, b + H).mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers + 4L * H / 8)).blend(w.get(InterleavedRows.F32, supers + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                accLo = ((FloatVector) u0.convertShape(VectorOperators.I2F, F, 0)).fma(d0, accLo);
                accHi = ((FloatVector) u1.convertShape(VectorOperators.I2F, F, 0)).fma(d1, accHi);
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
     * {@link #matvecRows} for two activation vectors at once (rows with groups of their own): each word's codes are
     * unpacked once for both, the scales loaded once (as {@link InterleavedQ4_K#matvecRows2}).
     */
    static void matvecRows2(InterleavedRows packed, int from, int to, Q8Lanes x, Q8Lanes y, float[] outX, int ox, float[] outY, int oy) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q, yq = y.q;
        float[] dx = x.d, dy = y.d;
        int[] sumLoX = x.sumLo, sumHiX = x.sumHi, sumLoY = y.sumLo, sumHiY = y.sumHi;
        long gb = InterleavedRows.groupBytes(dev.qwen4j.tensor.DType.Q3_K);
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
                long sc = go + 16L * L, supers = sc + 2L * L;
                IntVector sc00 = (IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc, LE).convertShape(VectorOperators.B2I, I, 0);
                IntVector sc10 = (IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L, LE).convertShape(VectorOperators.B2I, I, 0);
                IntVector sc01 = (IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + H, LE).convertShape(VectorOperators.B2I, I, 0);
                IntVector sc11 = (IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L + H, LE).convertShape(VectorOperators.B2I, I, 0);
                FloatVector dSuper0 = FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers)).blend(w.get(InterleavedRows.F32, supers + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK);
                FloatVector dSuper1 = FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers + 4L * H / 8)).blend(w.get(InterleavedRows.F32, supers + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK);
                {
                    IntVector t0 = ((IntVector) xa0.convertShape(VectorOperators.S2I, I, 0))
                            .sub(IntVector.fromArray(I, sumLoX, b).lanewise(VectorOperators.LSHL, 2)).mul(sc00)
                            .add(((IntVector) xa1.convertShape(VectorOperators.S2I, I, 0))
                                    .sub(IntVector.fromArray(I, sumHiX, b).lanewise(VectorOperators.LSHL, 2)).mul(sc10));
                    IntVector t1 = ((IntVector) xa0.convertShape(VectorOperators.S2I, I, 1))
                            .sub(IntVector.fromArray(I, sumLoX, b + H).lanewise(VectorOperators.LSHL, 2)).mul(sc01)
                            .add(((IntVector) xa1.convertShape(VectorOperators.S2I, I, 1))
                                    .sub(IntVector.fromArray(I, sumHiX, b + H).lanewise(VectorOperators.LSHL, 2)).mul(sc11));
                    xLo = ((FloatVector) t0.convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.fromArray(F, dx, b).mul(dSuper0), xLo);
                    xHi = ((FloatVector) t1.convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.fromArray(F, dx, b + H).mul(dSuper1), xHi);
                }
                {
                    IntVector t0 = ((IntVector) ya0.convertShape(VectorOperators.S2I, I, 0))
                            .sub(IntVector.fromArray(I, sumLoY, b).lanewise(VectorOperators.LSHL, 2)).mul(sc00)
                            .add(((IntVector) ya1.convertShape(VectorOperators.S2I, I, 0))
                                    .sub(IntVector.fromArray(I, sumHiY, b).lanewise(VectorOperators.LSHL, 2)).mul(sc10));
                    IntVector t1 = ((IntVector) ya0.convertShape(VectorOperators.S2I, I, 1))
                            .sub(IntVector.fromArray(I, sumLoY, b + H).lanewise(VectorOperators.LSHL, 2)).mul(sc01)
                            .add(((IntVector) ya1.convertShape(VectorOperators.S2I, I, 1))
                                    .sub(IntVector.fromArray(I, sumHiY, b + H).lanewise(VectorOperators.LSHL, 2)).mul(sc11));
                    yLo = ((FloatVector) t0.convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.fromArray(F, dy, b).mul(dSuper0), yLo);
                    yHi = ((FloatVector) t1.convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.fromArray(F, dy, b + H).mul(dSuper1), yHi);
                }
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
        float[] dx = x.d;
        int[] sumLo = x.sumLo, sumHi = x.sumHi;
        long gb = InterleavedRows.groupBytes(dev.qwen4j.tensor.DType.Q3_K);
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
                int b = slot * L;
                long sc = go + 16L * L, supers = sc + 2L * L;
                // per lane p·H + i: sc_0·(Σ_0 − 4·Σq_0) + sc_1·(Σ_1 − 4·Σq_1) in int lanes
                IntVector u0 = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 0))
                        .sub(IntVector.fromArray(I, sumLo, b).lanewise(VectorOperators.LSHL, 2))
                        .mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc, LE).convertShape(VectorOperators.B2I, I, 0))
                        .add(((IntVector) a1.convertShape(VectorOperators.S2I, I, 0))
                                .sub(IntVector.fromArray(I, sumHi, b).lanewise(VectorOperators.LSHL, 2))
                                .mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L, LE).convertShape(VectorOperators.B2I, I, 0)));
                IntVector u1 = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 1))
                        .sub(IntVector.fromArray(I, sumLo, b + H).lanewise(VectorOperators.LSHL, 2))
                        .mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + H, LE).convertShape(VectorOperators.B2I, I, 0))
                        .add(((IntVector) a1.convertShape(VectorOperators.S2I, I, 1))
                                .sub(IntVector.fromArray(I, sumHi, b + H).lanewise(VectorOperators.LSHL, 2))
                                .mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L + H, LE).convertShape(VectorOperators.B2I, I, 0)));
                FloatVector d0 = FloatVector.fromArray(F, dx, b).mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers)).blend(w.get(InterleavedRows.F32, supers + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector d1 = FloatVector.fromArray(F, dx, b + H).mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers + 4L * H / 8)).blend(w.get(InterleavedRows.F32, supers + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                accLo = ((FloatVector) u0.convertShape(VectorOperators.I2F, F, 0)).fma(d0, accLo);
                accHi = ((FloatVector) u1.convertShape(VectorOperators.I2F, F, 0)).fma(d1, accHi);
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
