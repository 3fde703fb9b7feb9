package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.LE;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.F;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.I;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.S;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.NEXT_SUPER_BLOCK;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.SCALE_BYTES;
import static dev.qwen4j.tensor.quant.InterleavedQ4_0.SECOND_SUPER_BLOCK;

import dev.qwen4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link InterleavedRows} kernel for the formats stored as one re-centred signed byte per code, a plane of
 * them per code position (Q6_K, Q5_K, Q5_0): one sign-extending load gives a vector of 16-bit codes; products of a code of at most 6 bits and
 * an 8-bit activation leave room for 8 per 16-bit accumulator, so each 16-value half takes two. Then per lane:
 * Q6_K d·d_x·(sc_0·Σ_0 + sc_1·Σ_1), the int8 scales applied in integer lanes (|Σ_h| ≤ 16·32·127, times 127:
 * within 31 bits); Q5_K d_x·(d·sc·(Σ + 16·Σq) − dmin·m·Σq) as Q4_K with the centre added back; Q5_0 d·d_x·Σ.
 */
final class InterleavedByteCodes {
    private InterleavedByteCodes() {}

    private static final int L = InterleavedRows.LANES, H = L / 2;
    /**
     * One code plane: a signed byte per 16-bit lane, widened with one sign-extending load (pairs of codes in 16-bit
     * words took three shifts, each by a count C2 kept in a vector register and reloaded).
     */
    private static final VectorSpecies<Byte> CODES = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L));

    /**
     * One kernel per format: a single method holding all three was too
     * large for C1 ("out of virtual registers"), so it ran interpreted until C2 took it, 4 ns a weight meanwhile.
     */
    static void matvec(InterleavedRows packed, int from, int to, Q8Lanes x, float[] out, int oo) {
        switch (packed.type()) {
            case Q6_K -> matvecQ6K(packed, from, to, x, out, oo);
            case Q5_K -> matvecQ5K(packed, from, to, x, out, oo);
            case Q5_0 -> matvecQ50(packed, from, to, x, out, oo);
            default -> throw new IllegalArgumentException("no byte-code kernel for " + packed.type());
        }
    }

    /** Q6_K: d·d_x·(sc_0·Σ_0 + sc_1·Σ_1) per lane; rows sharing a tail group each take it in a pass of their own. */
    private static void matvecQ6K(InterleavedRows packed, int from, int to, Q8Lanes x, float[] out, int oo) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q;
        float[] dx = x.d;
        long gb = InterleavedRows.groupBytes(DType.Q6_K);
        int steps = (to - from) * groups * 4;
        // one flat loop over the rows' steps (see InterleavedQ4_0.matvecRows); a row's groups are contiguous,
        // and with shared tails an odd row visits its tail first, its activation groups one earlier (ao)
        long go = packed.rowStart(from);
        int ao = packed.activationOffset(from), r = from, g = 0;
        ShortVector a0 = ShortVector.zero(S), a1 = ShortVector.zero(S), a2 = ShortVector.zero(S), a3 = ShortVector.zero(S);
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < steps; k++) {
            // eight code planes per step: codes 8s … 8s + 7, one 16-bit accumulator's worth
            int s = k & 3;
            int xm = (g + ao) * 32 * L + 8 * s * L;
            long co = go + 8L * s * L;
            // the eight planes' products written out: a helper C2 had already compiled on its own was not inlined
            // ("already compiled into a big method") and boxed its vectors
            ShortVector p = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 2L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 2 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 3L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 3 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 4L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 4 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 5L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 5 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 6L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 6 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 7L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 7 * L)));
            // the last four steps' sums, newest first: at a group's end a3, a2 hold codes 0-15 and a1, a0 codes 16-31
            a3 = a2;
            a2 = a1;
            a1 = a0;
            a0 = p;
            if (s == 3) {
                // Σ over codes 0-15 (t0) and 16-31 (t1) of lanes 0..H-1 (…0) and H..L-1 (…1)
                IntVector t00 = ((IntVector) a3.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a2.convertShape(VectorOperators.S2I, I, 0));
                IntVector t01 = ((IntVector) a3.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a2.convertShape(VectorOperators.S2I, I, 1));
                IntVector t10 = ((IntVector) a1.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a0.convertShape(VectorOperators.S2I, I, 0));
                IntVector t11 = ((IntVector) a1.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a0.convertShape(VectorOperators.S2I, I, 1));
                int b = (g + ao) * L;
                long sc = go + 32L * L, supers = sc + 2L * L;
                // the int8 scales multiply the integer sums; d (one per super-block) and d_x apply per half group
                IntVector u0 = t00.mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc, LE).convertShape(VectorOperators.B2I, I, 0))
                        .add(t10.mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L, LE).convertShape(VectorOperators.B2I, I, 0)));
                IntVector u1 = t01.mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + H, LE).convertShape(VectorOperators.B2I, I, 0))
                        .add(t11.mul((IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L + H, LE).convertShape(VectorOperators.B2I, I, 0)));
                FloatVector d0 = FloatVector.fromArray(F, dx, b).mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers)).blend(w.get(InterleavedRows.F32, supers + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector d1 = FloatVector.fromArray(F, dx, b + H).mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers + 4L * H / 8)).blend(w.get(InterleavedRows.F32, supers + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                acc = ((FloatVector) u0.convertShape(VectorOperators.I2F, F, 0)).fma(d0, acc);
                acc = ((FloatVector) u1.convertShape(VectorOperators.I2F, F, 0)).fma(d1, acc);
                go += gb;
                if (++g == groups) {
                    out[oo + r++] = acc.reduceLanes(VectorOperators.ADD);
                    acc = FloatVector.zero(F);
                    g = 0;
                    if (r < to) {
                        go = packed.rowStart(r);
                        ao = packed.activationOffset(r);
                    }
                }
            }
        }
    }

    /**
     * {@link #matvecQ6K} for two activation vectors at once: each code plane is loaded and widened once for both, the
     * scales once per group.
     */
    static void matvecQ6K2(InterleavedRows packed, int from, int to, Q8Lanes x, Q8Lanes y, float[] outX, int ox, float[] outY, int oy) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q, yq = y.q;
        float[] dx = x.d, dy = y.d;
        long gb = InterleavedRows.groupBytes(DType.Q6_K);
        int steps = (to - from) * groups * 4;
        long go = packed.rowStart(from);
        int ao = packed.activationOffset(from), r = from, g = 0;
        ShortVector xa0 = ShortVector.zero(S), xa1 = xa0, xa2 = xa0, xa3 = xa0, ya0 = xa0, ya1 = xa0, ya2 = xa0, ya3 = xa0;
        FloatVector xAcc = FloatVector.zero(F), yAcc = xAcc;
        for (int k = 0; k < steps; k++) {
            int s = k & 3;
            int xm = (g + ao) * 32 * L + 8 * s * L;
            long co = go + 8L * s * L;
            // written out: C2 does not inline vector helpers reliably into kernels this large (README, kernel rules)
            ShortVector c0 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co, LE).convertShape(VectorOperators.B2S, S, 0)), c1 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + L, LE).convertShape(VectorOperators.B2S, S, 0)), c2 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 2L * L, LE).convertShape(VectorOperators.B2S, S, 0)), c3 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 3L * L, LE).convertShape(VectorOperators.B2S, S, 0));
            ShortVector px = c0.mul(ShortVector.fromArray(S, xq, xm)).add(c1.mul(ShortVector.fromArray(S, xq, xm + L)))
                    .add(c2.mul(ShortVector.fromArray(S, xq, xm + 2 * L))).add(c3.mul(ShortVector.fromArray(S, xq, xm + 3 * L)));
            ShortVector py = c0.mul(ShortVector.fromArray(S, yq, xm)).add(c1.mul(ShortVector.fromArray(S, yq, xm + L)))
                    .add(c2.mul(ShortVector.fromArray(S, yq, xm + 2 * L))).add(c3.mul(ShortVector.fromArray(S, yq, xm + 3 * L)));
            c0 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 4L * L, LE).convertShape(VectorOperators.B2S, S, 0));
            c1 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 5L * L, LE).convertShape(VectorOperators.B2S, S, 0));
            c2 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 6L * L, LE).convertShape(VectorOperators.B2S, S, 0));
            c3 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 7L * L, LE).convertShape(VectorOperators.B2S, S, 0));
            px = px.add(c0.mul(ShortVector.fromArray(S, xq, xm + 4 * L))).add(c1.mul(ShortVector.fromArray(S, xq, xm + 5 * L)))
                    .add(c2.mul(ShortVector.fromArray(S, xq, xm + 6 * L))).add(c3.mul(ShortVector.fromArray(S, xq, xm + 7 * L)));
            py = py.add(c0.mul(ShortVector.fromArray(S, yq, xm + 4 * L))).add(c1.mul(ShortVector.fromArray(S, yq, xm + 5 * L)))
                    .add(c2.mul(ShortVector.fromArray(S, yq, xm + 6 * L))).add(c3.mul(ShortVector.fromArray(S, yq, xm + 7 * L)));
            xa3 = xa2;
            xa2 = xa1;
            xa1 = xa0;
            xa0 = px;
            ya3 = ya2;
            ya2 = ya1;
            ya1 = ya0;
            ya0 = py;
            if (s == 3) {
                int b = (g + ao) * L;
                long sc = go + 32L * L, supers = sc + 2L * L;
                IntVector sc00 = (IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc, LE).convertShape(VectorOperators.B2I, I, 0);
                IntVector sc10 = (IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L, LE).convertShape(VectorOperators.B2I, I, 0);
                IntVector sc01 = (IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + H, LE).convertShape(VectorOperators.B2I, I, 0);
                IntVector sc11 = (IntVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L + H, LE).convertShape(VectorOperators.B2I, I, 0);
                FloatVector d0 = FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers)).blend(w.get(InterleavedRows.F32, supers + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK);
                FloatVector d1 = FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers + 4L * H / 8)).blend(w.get(InterleavedRows.F32, supers + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK);
                IntVector u0 = ((IntVector) xa3.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) xa2.convertShape(VectorOperators.S2I, I, 0)).mul(sc00)
                        .add(((IntVector) xa1.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) xa0.convertShape(VectorOperators.S2I, I, 0)).mul(sc10));
                IntVector u1 = ((IntVector) xa3.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) xa2.convertShape(VectorOperators.S2I, I, 1)).mul(sc01)
                        .add(((IntVector) xa1.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) xa0.convertShape(VectorOperators.S2I, I, 1)).mul(sc11));
                xAcc = ((FloatVector) u0.convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.fromArray(F, dx, b).mul(d0), xAcc);
                xAcc = ((FloatVector) u1.convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.fromArray(F, dx, b + H).mul(d1), xAcc);
                u0 = ((IntVector) ya3.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) ya2.convertShape(VectorOperators.S2I, I, 0)).mul(sc00)
                        .add(((IntVector) ya1.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) ya0.convertShape(VectorOperators.S2I, I, 0)).mul(sc10));
                u1 = ((IntVector) ya3.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) ya2.convertShape(VectorOperators.S2I, I, 1)).mul(sc01)
                        .add(((IntVector) ya1.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) ya0.convertShape(VectorOperators.S2I, I, 1)).mul(sc11));
                yAcc = ((FloatVector) u0.convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.fromArray(F, dy, b).mul(d0), yAcc);
                yAcc = ((FloatVector) u1.convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.fromArray(F, dy, b + H).mul(d1), yAcc);
                go += gb;
                if (++g == groups) {
                    outX[ox + r] = xAcc.reduceLanes(VectorOperators.ADD);
                    outY[oy + r++] = yAcc.reduceLanes(VectorOperators.ADD);
                    xAcc = FloatVector.zero(F);
                    yAcc = xAcc;
                    g = 0;
                    if (r < to) {
                        go = packed.rowStart(r);
                        ao = packed.activationOffset(r);
                    }
                }
            }
        }
    }

    /** Q5_K: d_x·(d·sc·(Σ + 16·Σq) − dmin·m·Σq) per lane. */
    private static void matvecQ5K(InterleavedRows packed, int from, int to, Q8Lanes x, float[] out, int oo) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q;
        float[] dx = x.d, negSum = x.negSum;
        int[] sum = x.sum;
        long gb = InterleavedRows.groupBytes(DType.Q5_K);
        int steps = (to - from) * groups * 4;
        // one flat loop over the rows' steps (see InterleavedQ4_0.matvecRows); a row's groups are contiguous,
        // and with shared tails an odd row visits its tail first, its activation groups one earlier (ao)
        long go = packed.rowStart(from);
        int ao = packed.activationOffset(from), r = from, g = 0;
        ShortVector a0 = ShortVector.zero(S), a1 = ShortVector.zero(S), a2 = ShortVector.zero(S), a3 = ShortVector.zero(S);
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < steps; k++) {
            // eight code planes per step: codes 8s … 8s + 7, one 16-bit accumulator's worth
            int s = k & 3;
            int xm = (g + ao) * 32 * L + 8 * s * L;
            long co = go + 8L * s * L;
            // the eight planes' products written out: a helper C2 had already compiled on its own was not inlined
            // ("already compiled into a big method") and boxed its vectors
            ShortVector p = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 2L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 2 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 3L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 3 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 4L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 4 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 5L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 5 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 6L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 6 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 7L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 7 * L)));
            // the last four steps' sums, newest first: at a group's end a3, a2 hold codes 0-15 and a1, a0 codes 16-31
            a3 = a2;
            a2 = a1;
            a1 = a0;
            a0 = p;
            if (s == 3) {
                // Σ over codes 0-15 (t0) and 16-31 (t1) of lanes 0..H-1 (…0) and H..L-1 (…1)
                IntVector t00 = ((IntVector) a3.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a2.convertShape(VectorOperators.S2I, I, 0));
                IntVector t01 = ((IntVector) a3.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a2.convertShape(VectorOperators.S2I, I, 1));
                IntVector t10 = ((IntVector) a1.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a0.convertShape(VectorOperators.S2I, I, 0));
                IntVector t11 = ((IntVector) a1.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a0.convertShape(VectorOperators.S2I, I, 1));
                int b = (g + ao) * L;
                long sc = go + 32L * L, supers = sc + 2L * L, mins = supers + L / 2;
                // Σ (c' + 16)·q = Σ c'·q + 16·Σ q: the centre comes back in integer lanes
                IntVector u0 = t00.add(t10).add(IntVector.fromArray(I, sum, b).lanewise(VectorOperators.LSHL, 4));
                IntVector u1 = t01.add(t11).add(IntVector.fromArray(I, sum, b + H).lanewise(VectorOperators.LSHL, 4));
                FloatVector s0 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers)).blend(w.get(InterleavedRows.F32, supers + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector s1 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + H, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers + 4L * H / 8)).blend(w.get(InterleavedRows.F32, supers + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector m0 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, mins)).blend(w.get(InterleavedRows.F32, mins + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector m1 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L + H, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, mins + 4L * H / 8)).blend(w.get(InterleavedRows.F32, mins + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                acc = ((FloatVector) u0.convertShape(VectorOperators.I2F, F, 0)).mul(s0).fma(FloatVector.fromArray(F, dx, b), acc);
                acc = ((FloatVector) u1.convertShape(VectorOperators.I2F, F, 0)).mul(s1).fma(FloatVector.fromArray(F, dx, b + H), acc);
                acc = m0.fma(FloatVector.fromArray(F, negSum, b), acc);
                acc = m1.fma(FloatVector.fromArray(F, negSum, b + H), acc);
                go += gb;
                if (++g == groups) {
                    out[oo + r++] = acc.reduceLanes(VectorOperators.ADD);
                    acc = FloatVector.zero(F);
                    g = 0;
                    if (r < to) {
                        go = packed.rowStart(r);
                        ao = packed.activationOffset(r);
                    }
                }
            }
        }
    }


    /** {@link #matvecQ5K} for two activation vectors at once, as {@link #matvecQ6K2}. */
    static void matvecQ5K2(InterleavedRows packed, int from, int to, Q8Lanes x, Q8Lanes y, float[] outX, int ox, float[] outY, int oy) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q, yq = y.q;
        float[] dx = x.d, dy = y.d, negSumX = x.negSum, negSumY = y.negSum;
        int[] sumX = x.sum, sumY = y.sum;
        long gb = InterleavedRows.groupBytes(DType.Q5_K);
        int steps = (to - from) * groups * 4;
        long go = packed.rowStart(from);
        int ao = packed.activationOffset(from), r = from, g = 0;
        ShortVector xa0 = ShortVector.zero(S), xa1 = xa0, xa2 = xa0, xa3 = xa0, ya0 = xa0, ya1 = xa0, ya2 = xa0, ya3 = xa0;
        FloatVector xAcc = FloatVector.zero(F), yAcc = xAcc;
        for (int k = 0; k < steps; k++) {
            int s = k & 3;
            int xm = (g + ao) * 32 * L + 8 * s * L;
            long co = go + 8L * s * L;
            // written out: C2 does not inline vector helpers reliably into kernels this large (README, kernel rules)
            ShortVector c0 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co, LE).convertShape(VectorOperators.B2S, S, 0)), c1 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + L, LE).convertShape(VectorOperators.B2S, S, 0)), c2 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 2L * L, LE).convertShape(VectorOperators.B2S, S, 0)), c3 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 3L * L, LE).convertShape(VectorOperators.B2S, S, 0));
            ShortVector px = c0.mul(ShortVector.fromArray(S, xq, xm)).add(c1.mul(ShortVector.fromArray(S, xq, xm + L)))
                    .add(c2.mul(ShortVector.fromArray(S, xq, xm + 2 * L))).add(c3.mul(ShortVector.fromArray(S, xq, xm + 3 * L)));
            ShortVector py = c0.mul(ShortVector.fromArray(S, yq, xm)).add(c1.mul(ShortVector.fromArray(S, yq, xm + L)))
                    .add(c2.mul(ShortVector.fromArray(S, yq, xm + 2 * L))).add(c3.mul(ShortVector.fromArray(S, yq, xm + 3 * L)));
            c0 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 4L * L, LE).convertShape(VectorOperators.B2S, S, 0));
            c1 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 5L * L, LE).convertShape(VectorOperators.B2S, S, 0));
            c2 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 6L * L, LE).convertShape(VectorOperators.B2S, S, 0));
            c3 = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 7L * L, LE).convertShape(VectorOperators.B2S, S, 0));
            px = px.add(c0.mul(ShortVector.fromArray(S, xq, xm + 4 * L))).add(c1.mul(ShortVector.fromArray(S, xq, xm + 5 * L)))
                    .add(c2.mul(ShortVector.fromArray(S, xq, xm + 6 * L))).add(c3.mul(ShortVector.fromArray(S, xq, xm + 7 * L)));
            py = py.add(c0.mul(ShortVector.fromArray(S, yq, xm + 4 * L))).add(c1.mul(ShortVector.fromArray(S, yq, xm + 5 * L)))
                    .add(c2.mul(ShortVector.fromArray(S, yq, xm + 6 * L))).add(c3.mul(ShortVector.fromArray(S, yq, xm + 7 * L)));
            xa3 = xa2;
            xa2 = xa1;
            xa1 = xa0;
            xa0 = px;
            ya3 = ya2;
            ya2 = ya1;
            ya1 = ya0;
            ya0 = py;
            if (s == 3) {
                int b = (g + ao) * L;
                long sc = go + 32L * L, supers = sc + 2L * L, mins = supers + L / 2;
                FloatVector s0 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers)).blend(w.get(InterleavedRows.F32, supers + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector s1 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + H, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, supers + 4L * H / 8)).blend(w.get(InterleavedRows.F32, supers + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector m0 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, mins)).blend(w.get(InterleavedRows.F32, mins + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                FloatVector m1 = ((FloatVector) ByteVector.fromMemorySegment(SCALE_BYTES, w, sc + L + H, LE).convertShape(VectorOperators.B2F, F, 0))
                        .mul(FloatVector.broadcast(F, w.get(InterleavedRows.F32, mins + 4L * H / 8)).blend(w.get(InterleavedRows.F32, mins + 4L * H / 8 + NEXT_SUPER_BLOCK), SECOND_SUPER_BLOCK));
                // Σ (c' + 16)·q = Σ c'·q + 16·Σ q per lane, lanes 0..H-1 (u0) and H..L-1 (u1)
                IntVector u0 = ((IntVector) xa3.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) xa2.convertShape(VectorOperators.S2I, I, 0))
                        .add(((IntVector) xa1.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) xa0.convertShape(VectorOperators.S2I, I, 0)))
                        .add(IntVector.fromArray(I, sumX, b).lanewise(VectorOperators.LSHL, 4));
                IntVector u1 = ((IntVector) xa3.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) xa2.convertShape(VectorOperators.S2I, I, 1))
                        .add(((IntVector) xa1.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) xa0.convertShape(VectorOperators.S2I, I, 1)))
                        .add(IntVector.fromArray(I, sumX, b + H).lanewise(VectorOperators.LSHL, 4));
                xAcc = ((FloatVector) u0.convertShape(VectorOperators.I2F, F, 0)).mul(s0).fma(FloatVector.fromArray(F, dx, b), xAcc);
                xAcc = ((FloatVector) u1.convertShape(VectorOperators.I2F, F, 0)).mul(s1).fma(FloatVector.fromArray(F, dx, b + H), xAcc);
                xAcc = m0.fma(FloatVector.fromArray(F, negSumX, b), xAcc);
                xAcc = m1.fma(FloatVector.fromArray(F, negSumX, b + H), xAcc);
                u0 = ((IntVector) ya3.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) ya2.convertShape(VectorOperators.S2I, I, 0))
                        .add(((IntVector) ya1.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) ya0.convertShape(VectorOperators.S2I, I, 0)))
                        .add(IntVector.fromArray(I, sumY, b).lanewise(VectorOperators.LSHL, 4));
                u1 = ((IntVector) ya3.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) ya2.convertShape(VectorOperators.S2I, I, 1))
                        .add(((IntVector) ya1.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) ya0.convertShape(VectorOperators.S2I, I, 1)))
                        .add(IntVector.fromArray(I, sumY, b + H).lanewise(VectorOperators.LSHL, 4));
                yAcc = ((FloatVector) u0.convertShape(VectorOperators.I2F, F, 0)).mul(s0).fma(FloatVector.fromArray(F, dy, b), yAcc);
                yAcc = ((FloatVector) u1.convertShape(VectorOperators.I2F, F, 0)).mul(s1).fma(FloatVector.fromArray(F, dy, b + H), yAcc);
                yAcc = m0.fma(FloatVector.fromArray(F, negSumY, b), yAcc);
                yAcc = m1.fma(FloatVector.fromArray(F, negSumY, b + H), yAcc);
                go += gb;
                if (++g == groups) {
                    outX[ox + r] = xAcc.reduceLanes(VectorOperators.ADD);
                    outY[oy + r++] = yAcc.reduceLanes(VectorOperators.ADD);
                    xAcc = FloatVector.zero(F);
                    yAcc = xAcc;
                    g = 0;
                    if (r < to) {
                        go = packed.rowStart(r);
                        ao = packed.activationOffset(r);
                    }
                }
            }
        }
    }
    /** Q5_0: d·d_x·Σ per lane. */
    private static void matvecQ50(InterleavedRows packed, int from, int to, Q8Lanes x, float[] out, int oo) {
        MemorySegment w = packed.data();
        int groups = packed.groups;
        short[] xq = x.q;
        float[] dx = x.d;
        long gb = InterleavedRows.groupBytes(DType.Q5_0);
        int steps = (to - from) * groups * 4;
        // one flat loop over the rows' steps (see InterleavedQ4_0.matvecRows); a row's groups are contiguous,
        // and with shared tails an odd row visits its tail first, its activation groups one earlier (ao)
        long go = packed.rowStart(from);
        int ao = packed.activationOffset(from), r = from, g = 0;
        ShortVector a0 = ShortVector.zero(S), a1 = ShortVector.zero(S), a2 = ShortVector.zero(S), a3 = ShortVector.zero(S);
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < steps; k++) {
            // eight code planes per step: codes 8s … 8s + 7, one 16-bit accumulator's worth
            int s = k & 3;
            int xm = (g + ao) * 32 * L + 8 * s * L;
            long co = go + 8L * s * L;
            // the eight planes' products written out: a helper C2 had already compiled on its own was not inlined
            // ("already compiled into a big method") and boxed its vectors
            ShortVector p = ((ShortVector) ByteVector.fromMemorySegment(CODES, w, co, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 2L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 2 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 3L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 3 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 4L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 4 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 5L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 5 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 6L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 6 * L)))
                    .add(((ShortVector) ByteVector.fromMemorySegment(CODES, w, co + 7L * L, LE).convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, xq, xm + 7 * L)));
            // the last four steps' sums, newest first: at a group's end a3, a2 hold codes 0-15 and a1, a0 codes 16-31
            a3 = a2;
            a2 = a1;
            a1 = a0;
            a0 = p;
            if (s == 3) {
                // Σ over codes 0-15 (t0) and 16-31 (t1) of lanes 0..H-1 (…0) and H..L-1 (…1)
                IntVector t00 = ((IntVector) a3.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a2.convertShape(VectorOperators.S2I, I, 0));
                IntVector t01 = ((IntVector) a3.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a2.convertShape(VectorOperators.S2I, I, 1));
                IntVector t10 = ((IntVector) a1.convertShape(VectorOperators.S2I, I, 0)).add((IntVector) a0.convertShape(VectorOperators.S2I, I, 0));
                IntVector t11 = ((IntVector) a1.convertShape(VectorOperators.S2I, I, 1)).add((IntVector) a0.convertShape(VectorOperators.S2I, I, 1));
                int b = (g + ao) * L;
                long sc = go + 32L * L;
                FloatVector d0 = FloatVector.fromMemorySegment(F, w, sc, LE).mul(FloatVector.fromArray(F, dx, b));
                FloatVector d1 = FloatVector.fromMemorySegment(F, w, sc + 4L * H, LE).mul(FloatVector.fromArray(F, dx, b + H));
                acc = ((FloatVector) t00.add(t10).convertShape(VectorOperators.I2F, F, 0)).fma(d0, acc);
                acc = ((FloatVector) t01.add(t11).convertShape(VectorOperators.I2F, F, 0)).fma(d1, acc);
                go += gb;
                if (++g == groups) {
                    out[oo + r++] = acc.reduceLanes(VectorOperators.ADD);
                    acc = FloatVector.zero(F);
                    g = 0;
                    if (r < to) {
                        go = packed.rowStart(r);
                        ao = packed.activationOffset(r);
                    }
                }
            }
        }
    }
}
