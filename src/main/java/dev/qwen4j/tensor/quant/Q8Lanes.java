package dev.qwen4j.tensor.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An activation vector quantized to 8 bits per 32-value block (as llama.cpp's Q8_0: d = max|x|/127,
 * q = round(x/d)) and stored transposed for the {@link InterleavedRows} kernels: blocks are taken {@link #LANES}
 * at a time (a group), and within a group value j of block i sits at {@code q[group·32·LANES + j·LANES + i]}, so
 * one vector load gives value j of LANES consecutive blocks. The codes are held as shorts because the kernels
 * multiply in 16-bit lanes. A partial last group is padded with zero blocks; when it fills at most half a group
 * (rows of 2560 values: 80 blocks = 2 groups + 16), a copy of it with its blocks in the upper half of the lanes
 * comes first (group 0, the rest after it), for the odd rows of {@link InterleavedRows}' row pairs, which share one
 * tail group and visit it first; a last group holds the tail in both halves, for kernels that take a pair's
 * shared tail in one pass.
 */
public final class Q8Lanes {
    /** Blocks per group: the 16-bit lanes of the preferred vector shape (32 with AVX-512, 16 with AVX2). */
    public static final int LANES = InterleavedRows.LANES;
    static final int BLOCK = 32;

    short[] q = new short[0];
    /** Per block: the scale d, Σq over all 32 values, Σq over values 0–15 and over 16–31. */
    float[] d = new float[0];
    int[] sum = new int[0], sumLo = new int[0], sumHi = new int[0];
    /** −d·Σq per block, over all 32 values and over each half: the offsets and mins fold in as scale·these. */
    float[] negSum = new float[0], negSumLo = new float[0], negSumHi = new float[0];
    int cols, groups;

    /** Groups of LANES blocks that cols values fill (the last possibly partly): the groups a row's product visits. */
    public static int groups(int cols) {
        return (cols / BLOCK + LANES - 1) / LANES;
    }

    /** Whole groups of a row of cols values. */
    static int fullGroups(int cols) {
        return cols / BLOCK / LANES;
    }

    /**
     * Whether a row of cols values ends in a partial group of at most half the lanes, which two rows then share
     * (even row in the lower lanes, odd row in the upper ones) instead of each padding its own.
     */
    static boolean sharedTail(int cols) {
        int tail = cols / BLOCK % LANES;
        return tail > 0 && tail <= LANES / 2;
    }

    /** Quantizes x[xo .. xo + cols); cols is a multiple of 32. */
    public void quantize(float[] x, int xo, int cols) {
        if (cols % BLOCK != 0) throw new IllegalArgumentException(cols + " columns are not whole blocks of " + BLOCK);
        this.cols = cols;
        this.groups = groups(cols);
        boolean shared = sharedTail(cols);
        // with a shared tail, group g of the row is stored at slot g + 1 (slot 0: the tail's upper-lane copy),
        // and a last slot holds the tail in both halves (a row pair's shared tail group, taken in one pass)
        int blocks = (groups + (shared ? 2 : 0)) * LANES;
        if (d.length < blocks) {
            q = new short[blocks * BLOCK];
            d = new float[blocks];
            sum = new int[blocks];
            sumLo = new int[blocks];
            sumHi = new int[blocks];
            negSum = new float[blocks];
            negSumLo = new float[blocks];
            negSumHi = new float[blocks];
        }
        int real = cols / BLOCK;
        int full = real / LANES;
        for (int g = 0; g < full; g++) quantizeGroup(x, xo, g);
        for (int b = full * LANES; b < groups * LANES; b++) {
            int g = b / LANES, i = b % LANES, base = g * BLOCK * LANES + i;
            if (b >= real) {
                for (int j = 0; j < BLOCK; j++) q[base + j * LANES] = 0;
                d[b] = 0f;
                sum[b] = sumLo[b] = sumHi[b] = 0;
                negSum[b] = negSumLo[b] = negSumHi[b] = 0f;
                continue;
            }
            int xb = xo + b * BLOCK;
            float amax = 0f;
            for (int j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(x[xb + j]));
            float scale = amax / 127f, inv = amax == 0f ? 0f : 127f / amax;
            d[b] = scale;
            int lo = 0, hi = 0;
            for (int j = 0; j < BLOCK; j++) {
                int v = Math.round(x[xb + j] * inv);
                q[base + j * LANES] = (short) v;
                if (j < 16) lo += v;
                else hi += v;
            }
            sumLo[b] = lo;
            sumHi[b] = hi;
            sum[b] = lo + hi;
            negSum[b] = -scale * (lo + hi);
            negSumLo[b] = -scale * lo;
            negSumHi[b] = -scale * hi;
        }
        if (shared) {
            prependUpperTail();
            appendBothHalves();
        }
    }

    /** Slot groups + 1 = the tail in both halves: slot groups' lower lanes and slot 0's upper ones. */
    private void appendBothHalves() {
        int h = LANES / 2, lower = groups * LANES, both = (groups + 1) * LANES;
        for (int j = 0; j < BLOCK; j++) {
            System.arraycopy(q, lower * BLOCK + j * LANES, q, both * BLOCK + j * LANES, h);
            System.arraycopy(q, j * LANES + h, q, both * BLOCK + j * LANES + h, h);
        }
        for (Object a : new Object[] {d, sum, sumLo, sumHi, negSum, negSumLo, negSumHi}) {
            System.arraycopy(a, lower, a, both, h);
            System.arraycopy(a, h, a, both + h, h);
        }
    }

    /** Moves the groups up one slot and fills slot 0 with the last (partial) group's blocks in the upper lanes. */
    private void prependUpperTail() {
        int h = LANES / 2, n = groups * LANES;
        System.arraycopy(q, 0, q, BLOCK * LANES, n * BLOCK);
        for (Object a : new Object[] {d, sum, sumLo, sumHi, negSum, negSumLo, negSumHi}) System.arraycopy(a, 0, a, LANES, n);
        int tail = groups * LANES; // the partial group's slot after the move
        for (int j = 0; j < BLOCK; j++) {
            java.util.Arrays.fill(q, j * LANES, j * LANES + h, (short) 0);
            System.arraycopy(q, tail * BLOCK + j * LANES, q, j * LANES + h, h);
        }
        for (int i = 0; i < LANES; i++) {
            int src = tail + i - h;
            boolean upper = i >= h;
            d[i] = upper ? d[src] : 0f;
            sum[i] = upper ? sum[src] : 0;
            sumLo[i] = upper ? sumLo[src] : 0;
            sumHi[i] = upper ? sumHi[src] : 0;
            negSum[i] = upper ? negSum[src] : 0f;
            negSumLo[i] = upper ? negSumLo[src] : 0f;
            negSumHi[i] = upper ? negSumHi[src] : 0f;
        }
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    private static final int H = LANES / 2;
    /** Gathers value j of H consecutive blocks. */
    private static final int[] STRIDE = new int[H];

    static {
        for (int i = 0; i < H; i++) STRIDE[i] = i * BLOCK;
    }

    /**
     * One full group, vectorised across its blocks: lane i of a gather holds value j of block i, so the
     * per-block maximum, scale, rounding and sums are lane-wise and the transposed codes store contiguously.
     * Rounds half to even (the scalar path for a partial last group uses Math.round; both are within d/2).
     */
    private void quantizeGroup(float[] x, int xo, int g) {
        int b0 = g * LANES, x0 = xo + b0 * BLOCK, x1 = x0 + H * BLOCK;
        FloatVector m0 = FloatVector.zero(F), m1 = FloatVector.zero(F);
        for (int j = 0; j < BLOCK; j++) {
            m0 = FloatVector.fromArray(F, x, x0 + j, STRIDE, 0).abs().max(m0);
            m1 = FloatVector.fromArray(F, x, x1 + j, STRIDE, 0).abs().max(m1);
        }
        m0.div(127f).intoArray(d, b0);
        m1.div(127f).intoArray(d, b0 + H);
        FloatVector inv0 = FloatVector.broadcast(F, 127f).div(m0).blend(0f, m0.eq(0f));
        FloatVector inv1 = FloatVector.broadcast(F, 127f).div(m1).blend(0f, m1.eq(0f));
        IntVector lo0 = IntVector.zero(I), lo1 = lo0, all0 = lo0, all1 = lo0;
        int base = g * BLOCK * LANES;
        for (int j = 0; j < BLOCK; j++) {
            // adding 1.5·2²³ rounds to an integer in the low mantissa bits (|v| ≤ 127)
            IntVector q0 = (IntVector) FloatVector.fromArray(F, x, x0 + j, STRIDE, 0).mul(inv0).add(ROUNDER).sub(ROUNDER)
                    .convertShape(VectorOperators.F2I, I, 0);
            IntVector q1 = (IntVector) FloatVector.fromArray(F, x, x1 + j, STRIDE, 0).mul(inv1).add(ROUNDER).sub(ROUNDER)
                    .convertShape(VectorOperators.F2I, I, 0);
            ((ShortVector) q0.convertShape(VectorOperators.I2S, S, 0)).or((ShortVector) q1.convertShape(VectorOperators.I2S, S, -1))
                    .intoArray(q, base + j * LANES);
            // the first half's sums through an all-ones or zero mask, not a branch: vector sums that a branch
            // chooses between were boxed when C2 compiled without type profiles
            int firstHalf = j < BLOCK / 2 ? -1 : 0;
            lo0 = q0.and(firstHalf).add(lo0);
            lo1 = q1.and(firstHalf).add(lo1);
            all0 = q0.add(all0);
            all1 = q1.add(all1);
        }
        IntVector hi0 = all0.sub(lo0), hi1 = all1.sub(lo1);
        lo0.intoArray(sumLo, b0);
        lo1.intoArray(sumLo, b0 + H);
        hi0.intoArray(sumHi, b0);
        hi1.intoArray(sumHi, b0 + H);
        all0.intoArray(sum, b0);
        all1.intoArray(sum, b0 + H);
        FloatVector d0 = FloatVector.fromArray(F, d, b0).neg(), d1 = FloatVector.fromArray(F, d, b0 + H).neg();
        ((FloatVector) lo0.convertShape(VectorOperators.I2F, F, 0)).mul(d0).intoArray(negSumLo, b0);
        ((FloatVector) lo1.convertShape(VectorOperators.I2F, F, 0)).mul(d1).intoArray(negSumLo, b0 + H);
        ((FloatVector) hi0.convertShape(VectorOperators.I2F, F, 0)).mul(d0).intoArray(negSumHi, b0);
        ((FloatVector) hi1.convertShape(VectorOperators.I2F, F, 0)).mul(d1).intoArray(negSumHi, b0 + H);
        ((FloatVector) all0.convertShape(VectorOperators.I2F, F, 0)).mul(d0).intoArray(negSum, b0);
        ((FloatVector) all1.convertShape(VectorOperators.I2F, F, 0)).mul(d1).intoArray(negSum, b0 + H);
    }

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final float ROUNDER = 12582912f;

    /** The dequantized value c (tests). */
    public float value(int c) {
        int b = slot(c / BLOCK), j = c % BLOCK;
        return q[(b / LANES) * BLOCK * LANES + j * LANES + b % LANES] * d[b];
    }

    /** Where block b of the row sits in the per-block arrays (one group on when the tail's upper copy comes first). */
    int slot(int b) {
        return b + (sharedTail(cols) ? LANES : 0);
    }

    public int cols() {
        return cols;
    }
}
