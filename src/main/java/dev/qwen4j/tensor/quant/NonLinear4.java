package dev.qwen4j.tensor.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The 16 levels shared by IQ4_NL and IQ4_XS (ggml's kvalues_iq4nl: denser near zero, where most weights
 * are) and llama.cpp's search for a block's scale over them (quantize_row_iq4_nl_impl without an importance
 * matrix, as llama-quantize runs it: ntry = 7).
 */
final class NonLinear4 {
    private NonLinear4() {}

    static final int[] LEVELS = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    /** ggml's GROUP_MAX_EPS: a block whose largest magnitude is below this gets scale 0. */
    static final float GROUP_MAX_EPS = 1e-15f;
    private static final int NTRY = 7;

    /** The levels as an int table with at least 16 lanes (16-lane machines: one vector; 8 lanes: two). */
    static final IntVector TABLE_LO = IntVector.fromArray(Blocks.I, LEVELS, 0);
    static final IntVector TABLE_HI = Blocks.I.length() >= 16 ? TABLE_LO : IntVector.fromArray(Blocks.I, LEVELS, Blocks.I.length());
    /** The levels as f32 (16-lane row kernels multiply them by the block scale once per block). */
    static final FloatVector FLOAT_LEVELS = Blocks.L == 16
            ? FloatVector.fromArray(Blocks.F, new float[] {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}, 0) : null;

    /** Whether one int vector holds all 16 levels (else two: 8 lanes). */
    private static final boolean ONE_TABLE = Blocks.I.length() >= 16;
    /** Whether the vector kernels can look the levels up (16 lanes: one table, 8 lanes: two). */
    static final boolean VECTOR = Blocks.I.length() == 16 || Blocks.I.length() == 8;

    /** LEVELS[code] for each lane (codes 0..15; a 16-lane permute reads only the low 4 bits). */
    static IntVector levels(IntVector codes) {
        return Blocks.I.length() >= 16 ? codes.selectFrom(TABLE_LO) : codes.selectFrom(TABLE_LO, TABLE_HI);
    }

    /** ggml's best_index_int8: the nearest level to v (ties to the upper one), by bisection. */
    static int nearestLevel(float v) {
        if (v <= LEVELS[0]) return 0;
        if (v >= LEVELS[15]) return 15;
        int lo = 0, hi = 15;
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (v < LEVELS[mid]) hi = mid;
            else lo = mid;
        }
        return v - LEVELS[hi - 1] < LEVELS[hi] - v ? hi - 1 : hi;
    }

    /**
     * The scale of one 32-value block x[xo ..] that minimises Σ x²·(x − d·level)² over a few trial scales
     * around max/−127, with the chosen level indices in codes[co ..]; 0 (codes untouched) for a block of zeros.
     * The 15 trial scales run in the lanes of a vector (16 or 8 lanes), each lane summing over the values in the
     * scalar order, so the result is bit for bit {@link #blockScaleScalar}'s; without a 16- or 8-lane level
     * table the scalar search runs.
     */
    static float blockScale(float[] x, int xo, byte[] codes, int co) {
        if (!VECTOR) return blockScaleScalar(x, xo, codes, co);
        float amax = 0, max = 0;
        for (int j = 0; j < 32; j++) {
            float ax = Math.abs(x[xo + j]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + j];
            }
        }
        if (amax < GROUP_MAX_EPS) return 0f;
        float d = -max / LEVELS[0];
        float id = 1 / d;
        float sumqx = 0, sumq2 = 0;
        nearestLevels(x, xo, id, codes, co, 32);
        for (int j = 0; j < 32; j++) {
            float xj = x[xo + j];
            float q = LEVELS[codes[co + j]], w = xj * xj;
            sumqx += w * q * xj;
            sumq2 += w * q * q;
        }
        d = sumqx / sumq2;
        float best = d * sumqx;
        float[][] r = TRIAL_SUMS.get();
        float[] qx = r[0], q2 = r[1];
        IntVector first = IntVector.zero(Blocks.I), last = IntVector.broadcast(Blocks.I, 15);
        int lanes = Blocks.I.length();
        for (int t0 = -NTRY; t0 <= NTRY; t0 += lanes) {
            // lane k tries t = t0 + k: id = (t + LEVELS[0]) / max, the int sum converted, as in C
            FloatVector ids = ((FloatVector) IntVector.fromArray(Blocks.I, TRIAL_INDEX, 0).add(t0 + LEVELS[0]).convert(VectorOperators.I2F, 0)).div(max);
            FloatVector sumQx = FloatVector.zero(Blocks.F), sumQ2 = sumQx;
            for (int j = 0; j < 32; j++) {
                float xj = x[xo + j], w = xj * xj;
                FloatVector v = ids.mul(xj);
                // best_index_int8 in every lane: bisection to L[lo] <= v < L[hi] (four halvings of 0..15), then the
                // nearer of the two, ties up; lanes at or past either end take that end. Written out, not through a
                // helper: C2 did not inline helpers taking vectors into loops like this one (it boxed them).
                IntVector lo = first, hi = last;
                for (int step = 0; step < 4; step++) {
                    IntVector mid = lo.add(hi).lanewise(VectorOperators.ASHR, 1);
                    VectorMask<Float> below = v.compare(VectorOperators.LT, (FloatVector) (ONE_TABLE ? mid.selectFrom(TABLE_LO) : mid.selectFrom(TABLE_LO, TABLE_HI)).convert(VectorOperators.I2F, 0));
                    VectorMask<Integer> belowI = below.cast(Blocks.I);
                    hi = hi.blend(mid, belowI);
                    lo = mid.blend(lo, belowI);
                }
                FloatVector lower = (FloatVector) (ONE_TABLE ? lo.selectFrom(TABLE_LO) : lo.selectFrom(TABLE_LO, TABLE_HI)).convert(VectorOperators.I2F, 0);
                FloatVector upper = (FloatVector) (ONE_TABLE ? hi.selectFrom(TABLE_LO) : hi.selectFrom(TABLE_LO, TABLE_HI)).convert(VectorOperators.I2F, 0);
                IntVector index = hi.blend(lo, v.sub(lower).compare(VectorOperators.LT, upper.sub(v)).cast(Blocks.I));
                index = index.blend(first, v.compare(VectorOperators.LE, (float) LEVELS[0]).cast(Blocks.I))
                        .blend(last, v.compare(VectorOperators.GE, (float) LEVELS[15]).cast(Blocks.I));
                FloatVector q = (FloatVector) (ONE_TABLE ? index.selectFrom(TABLE_LO) : index.selectFrom(TABLE_LO, TABLE_HI)).convert(VectorOperators.I2F, 0);
                FloatVector wq = q.mul(w);
                sumQx = wq.mul(xj).add(sumQx);
                sumQ2 = wq.mul(q).add(sumQ2);
            }
            sumQx.intoArray(qx, 0);
            sumQ2.intoArray(q2, 0);
            for (int k = 0; k < lanes && t0 + k <= NTRY; k++) {
                if (q2[k] > 0 && qx[k] * qx[k] > best * q2[k]) {
                    d = qx[k] / q2[k];
                    best = d * qx[k];
                }
            }
        }
        return d;
    }

    /** 0, 1, 2, … per lane: trial offsets within a vector. */
    private static final int[] TRIAL_INDEX = new int[Blocks.I.length()];
    /** Per-lane sums of one vector of trials. */
    private static final ThreadLocal<float[][]> TRIAL_SUMS = ThreadLocal.withInitial(() -> new float[2][Blocks.I.length()]);

    static {
        for (int i = 0; i < TRIAL_INDEX.length; i++) TRIAL_INDEX[i] = i;
    }

    /** Scalar twin of {@link #blockScale}: llama.cpp's loop as written. */
    static float blockScaleScalar(float[] x, int xo, byte[] codes, int co) {
        float amax = 0, max = 0;
        for (int j = 0; j < 32; j++) {
            float ax = Math.abs(x[xo + j]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + j];
            }
        }
        if (amax < GROUP_MAX_EPS) return 0f;
        float d = -max / LEVELS[0];
        float id = 1 / d;
        float sumqx = 0, sumq2 = 0;
        for (int j = 0; j < 32; j++) {
            float xj = x[xo + j];
            int l = nearestLevel(id * xj);
            codes[co + j] = (byte) l;
            float q = LEVELS[l], w = xj * xj;
            sumqx += w * q * xj;
            sumq2 += w * q * q;
        }
        d = sumqx / sumq2;
        float best = d * sumqx;
        for (int t = -NTRY; t <= NTRY; t++) {
            id = (t + LEVELS[0]) / max;
            sumqx = 0;
            sumq2 = 0;
            for (int j = 0; j < 32; j++) {
                float xj = x[xo + j];
                float q = LEVELS[nearestLevel(id * xj)], w = xj * xj;
                sumqx += w * q * xj;
                sumq2 += w * q * q;
            }
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
        return d;
    }

    /** Packs 32 level indices as ggml does: byte j holds value j in its low nibble and value 16 + j in its high one. */
    static void pack(byte[] codes, int co, java.lang.foreign.MemorySegment dst, long off) {
        byte[] packed = new byte[16]; // one bulk copy: sixteen checked single-byte stores were 16% of quantize's time
        for (int j = 0; j < 16; j++) packed[j] = (byte) (codes[co + j] | codes[co + 16 + j] << 4);
        java.lang.foreign.MemorySegment.copy(packed, 0, dst, Blocks.I8, off, 16);
    }

    /**
     * codes[co + j] = {@link #nearestLevel}(scale · x[xo + j]) for j &lt; n (a multiple of the lane count), the values in
     * vector lanes: the same bisection, branch-free, lane by lane (the scalar one's branches mispredict on every value).
     */
    static void nearestLevels(float[] x, int xo, float scale, byte[] codes, int co, int n) {
        if (!VECTOR || n % Blocks.I.length() != 0) {
            for (int j = 0; j < n; j++) codes[co + j] = (byte) nearestLevel(scale * x[xo + j]);
            return;
        }
        int lanes = Blocks.I.length();
        IntVector first = IntVector.zero(Blocks.I), last = IntVector.broadcast(Blocks.I, 15);
        int[] index = LEVEL_INDEX.get();
        for (int j = 0; j < n; j += lanes) {
            FloatVector v = FloatVector.fromArray(Blocks.F, x, xo + j).mul(scale);
            IntVector lo = first, hi = last;
            for (int step = 0; step < 4; step++) {
                IntVector mid = lo.add(hi).lanewise(VectorOperators.ASHR, 1);
                VectorMask<Integer> below = v.compare(VectorOperators.LT,
                        (FloatVector) (ONE_TABLE ? mid.selectFrom(TABLE_LO) : mid.selectFrom(TABLE_LO, TABLE_HI)).convert(VectorOperators.I2F, 0)).cast(Blocks.I);
                hi = hi.blend(mid, below);
                lo = mid.blend(lo, below);
            }
            FloatVector lower = (FloatVector) (ONE_TABLE ? lo.selectFrom(TABLE_LO) : lo.selectFrom(TABLE_LO, TABLE_HI)).convert(VectorOperators.I2F, 0);
            FloatVector upper = (FloatVector) (ONE_TABLE ? hi.selectFrom(TABLE_LO) : hi.selectFrom(TABLE_LO, TABLE_HI)).convert(VectorOperators.I2F, 0);
            IntVector nearest = hi.blend(lo, v.sub(lower).compare(VectorOperators.LT, upper.sub(v)).cast(Blocks.I))
                    .blend(first, v.compare(VectorOperators.LE, (float) LEVELS[0]).cast(Blocks.I))
                    .blend(last, v.compare(VectorOperators.GE, (float) LEVELS[15]).cast(Blocks.I));
            nearest.intoArray(index, 0);
            for (int k = 0; k < lanes; k++) codes[co + j + k] = (byte) index[k];
        }
    }

    /** One vector of level indices, as ints. */
    private static final ThreadLocal<int[]> LEVEL_INDEX = ThreadLocal.withInitial(() -> new int[Blocks.I.length()]);
}
