package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.LE;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.F;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.I;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.S;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.nibbleProducts;
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
        float[] dx = x.d, negSum = x.negSum;
        long gb = 19L * L;
        int steps = (to - from) * groups * 4;
        long go = packed.rowStart(from);
        int ao = packed.activationOffset(from), r = from, g = 0;
        ShortVector a0 = ShortVector.zero(S), a1 = ShortVector.zero(S);
        FloatVector accLo = FloatVector.zero(F), accHi = FloatVector.zero(F);
        for (int k = 0; k < steps; k++) {
            int m = 2 * (k & 3);
            ShortVector v = ShortVector.fromMemorySegment(S, w, go + 2L * m * L, LE);
            ShortVector u = ShortVector.fromMemorySegment(S, w, go + 2L * (m + 1) * L, LE);
            int xm = (g + ao) * 32 * L + 4 * m * L;
            ShortVector p = nibbleProducts(v, xq, xm).add(nibbleProducts(u, xq, xm + 4 * L));
            if (m < 4) a0 = p.add(a0);
            else a1 = p.add(a1);
            if (m == 6) {
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
                accLo = ((FloatVector) lo.convertShape(VectorOperators.I2F, F, 0)).mul(s0).fma(FloatVector.fromArray(F, dx, b), accLo);
                accHi = ((FloatVector) hi.convertShape(VectorOperators.I2F, F, 0)).mul(s1).fma(FloatVector.fromArray(F, dx, b + H), accHi);
                accLo = m0.fma(FloatVector.fromArray(F, negSum, b), accLo);
                accHi = m1.fma(FloatVector.fromArray(F, negSum, b + H), accHi);
                a0 = ShortVector.zero(S);
                a1 = ShortVector.zero(S);
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
        long gb = 19L * L;
        int full = packed.full, n = 2 * full + 1;
        int steps = (to - from) / 2 * n * 4;
        long go = packed.rowStart(from);
        int r = from, g = 0, slot = full > 0 ? 1 : 2;
        float first = 0f, tailLo = 0f;
        ShortVector a0 = ShortVector.zero(S), a1 = ShortVector.zero(S);
        FloatVector accLo = FloatVector.zero(F), accHi = FloatVector.zero(F);
        for (int k = 0; k < steps; k++) {
            int m = 2 * (k & 3);
            ShortVector v = ShortVector.fromMemorySegment(S, w, go + 2L * m * L, LE);
            ShortVector u = ShortVector.fromMemorySegment(S, w, go + 2L * (m + 1) * L, LE);
            int xm = slot * 32 * L + 4 * m * L;
            ShortVector p = nibbleProducts(v, xq, xm).add(nibbleProducts(u, xq, xm + 4 * L));
            if (m < 4) a0 = p.add(a0);
            else a1 = p.add(a1);
            if (m == 6) {
                IntVector lo = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a1.convertShape(VectorOperators.S2I, I, 0));
                IntVector hi = ((IntVector) a0.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a1.convertShape(VectorOperators.S2I, I, 1));
                int b = slot * L;
                long sc = go + 16L * L, supers = sc + 2L * L, mins = supers + L / 2;
                FloatVector s0 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers)).blend(w.get(InterleavedRows.F32, supers + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector s1 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + H, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers + 4L * H / 8)).blend(w.get(InterleavedRows.F32, supers + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector m0 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, mins)).blend(w.get(InterleavedRows.F32, mins + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector m1 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L + H, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, mins + 4L * H / 8)).blend(w.get(InterleavedRows.F32, mins + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                accLo = ((FloatVector) lo.convertShape(VectorOperators.I2F, F, 0)).mul(s0).fma(FloatVector.fromArray(F, dx, b), accLo);
                accHi = ((FloatVector) hi.convertShape(VectorOperators.I2F, F, 0)).mul(s1).fma(FloatVector.fromArray(F, dx, b + H), accHi);
                accLo = m0.fma(FloatVector.fromArray(F, negSum, b), accLo);
                accHi = m1.fma(FloatVector.fromArray(F, negSum, b + H), accHi);
                a0 = ShortVector.zero(S);
                a1 = ShortVector.zero(S);
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
