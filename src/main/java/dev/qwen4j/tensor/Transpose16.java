package dev.qwen4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 16 × 16 float blocks transposed in registers (512-bit vectors only): four rounds of two-source permutes that
 * swap the off-diagonal 8-, 4-, 2- and 1-lane blocks of row pairs. The GEMM packs its weight panels with it, and
 * prefill attention turns query rows into lanes and its output lanes back into rows; scalar loops for either
 * ran about 1 ns an element, this about a quarter of that.
 */
public final class Transpose16 {
    private Transpose16() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Whether the float vectors have 16 lanes (AVX-512); the transpose is written for that shape only. */
    public static final boolean SUPPORTED = F.length() == 16;

    private static final FloatVector SWAP8_LO = swapIndex(8, true), SWAP8_HI = swapIndex(8, false);
    private static final FloatVector SWAP4_LO = swapIndex(4, true), SWAP4_HI = swapIndex(4, false);
    private static final FloatVector SWAP2_LO = swapIndex(2, true), SWAP2_HI = swapIndex(2, false);
    private static final FloatVector SWAP1_LO = swapIndex(1, true), SWAP1_HI = swapIndex(1, false);

    /**
     * Indices for {@code idx.selectFrom(a, b)} (lanes 0..15 pick from a, 16..31 from b) that swap the
     * off-diagonal h × h blocks of each 2h × 2h block between rows a and b: with lo, a keeps its lanes
     * whose bit h is clear and takes b's lanes shifted down by h; with hi, b gets a's upper lanes and
     * keeps its own. Applying this for h = 8, 4, 2, 1 over all row pairs (i, i + h) transposes 16 × 16.
     */
    private static FloatVector swapIndex(int h, boolean lo) {
        if (!SUPPORTED) return null;
        float[] idx = new float[16];
        for (int lane = 0; lane < 16; lane++) {
            boolean upper = (lane & h) != 0;
            idx[lane] = lo ? (upper ? 16 + lane - h : lane) : (upper ? 16 + lane : lane + h);
        }
        return FloatVector.fromArray(F, idx, 0);
    }

    /**
     * dst[dstOff + i·dstStride + j] = src[srcOff + j·srcStride + i] for i, j &lt; 16: row j of the source block (16
     * floats from srcOff + j·srcStride) becomes column j of the destination block. Needs {@link #SUPPORTED}. Uniform
     * strides only: a variant taking arrays of row offsets cost the GEMM's panel packing 2–4% of a 64-token prefill
     * (Qwen3-4B shape), so callers with scattered rows stage them first.
     */
    public static void transpose(float[] src, int srcOff, int srcStride, float[] dst, int dstOff, int dstStride) {
        FloatVector v0 = FloatVector.fromArray(F, src, srcOff + 0);
        FloatVector v1 = FloatVector.fromArray(F, src, srcOff + srcStride);
        FloatVector v2 = FloatVector.fromArray(F, src, srcOff + 2 * srcStride);
        FloatVector v3 = FloatVector.fromArray(F, src, srcOff + 3 * srcStride);
        FloatVector v4 = FloatVector.fromArray(F, src, srcOff + 4 * srcStride);
        FloatVector v5 = FloatVector.fromArray(F, src, srcOff + 5 * srcStride);
        FloatVector v6 = FloatVector.fromArray(F, src, srcOff + 6 * srcStride);
        FloatVector v7 = FloatVector.fromArray(F, src, srcOff + 7 * srcStride);
        FloatVector v8 = FloatVector.fromArray(F, src, srcOff + 8 * srcStride);
        FloatVector v9 = FloatVector.fromArray(F, src, srcOff + 9 * srcStride);
        FloatVector v10 = FloatVector.fromArray(F, src, srcOff + 10 * srcStride);
        FloatVector v11 = FloatVector.fromArray(F, src, srcOff + 11 * srcStride);
        FloatVector v12 = FloatVector.fromArray(F, src, srcOff + 12 * srcStride);
        FloatVector v13 = FloatVector.fromArray(F, src, srcOff + 13 * srcStride);
        FloatVector v14 = FloatVector.fromArray(F, src, srcOff + 14 * srcStride);
        FloatVector v15 = FloatVector.fromArray(F, src, srcOff + 15 * srcStride);
        FloatVector t;
        t = SWAP8_LO.selectFrom(v0, v8);
        v8 = SWAP8_HI.selectFrom(v0, v8);
        v0 = t;
        t = SWAP8_LO.selectFrom(v1, v9);
        v9 = SWAP8_HI.selectFrom(v1, v9);
        v1 = t;
        t = SWAP8_LO.selectFrom(v2, v10);
        v10 = SWAP8_HI.selectFrom(v2, v10);
        v2 = t;
        t = SWAP8_LO.selectFrom(v3, v11);
        v11 = SWAP8_HI.selectFrom(v3, v11);
        v3 = t;
        t = SWAP8_LO.selectFrom(v4, v12);
        v12 = SWAP8_HI.selectFrom(v4, v12);
        v4 = t;
        t = SWAP8_LO.selectFrom(v5, v13);
        v13 = SWAP8_HI.selectFrom(v5, v13);
        v5 = t;
        t = SWAP8_LO.selectFrom(v6, v14);
        v14 = SWAP8_HI.selectFrom(v6, v14);
        v6 = t;
        t = SWAP8_LO.selectFrom(v7, v15);
        v15 = SWAP8_HI.selectFrom(v7, v15);
        v7 = t;
        t = SWAP4_LO.selectFrom(v0, v4);
        v4 = SWAP4_HI.selectFrom(v0, v4);
        v0 = t;
        t = SWAP4_LO.selectFrom(v1, v5);
        v5 = SWAP4_HI.selectFrom(v1, v5);
        v1 = t;
        t = SWAP4_LO.selectFrom(v2, v6);
        v6 = SWAP4_HI.selectFrom(v2, v6);
        v2 = t;
        t = SWAP4_LO.selectFrom(v3, v7);
        v7 = SWAP4_HI.selectFrom(v3, v7);
        v3 = t;
        t = SWAP4_LO.selectFrom(v8, v12);
        v12 = SWAP4_HI.selectFrom(v8, v12);
        v8 = t;
        t = SWAP4_LO.selectFrom(v9, v13);
        v13 = SWAP4_HI.selectFrom(v9, v13);
        v9 = t;
        t = SWAP4_LO.selectFrom(v10, v14);
        v14 = SWAP4_HI.selectFrom(v10, v14);
        v10 = t;
        t = SWAP4_LO.selectFrom(v11, v15);
        v15 = SWAP4_HI.selectFrom(v11, v15);
        v11 = t;
        t = SWAP2_LO.selectFrom(v0, v2);
        v2 = SWAP2_HI.selectFrom(v0, v2);
        v0 = t;
        t = SWAP2_LO.selectFrom(v1, v3);
        v3 = SWAP2_HI.selectFrom(v1, v3);
        v1 = t;
        t = SWAP2_LO.selectFrom(v4, v6);
        v6 = SWAP2_HI.selectFrom(v4, v6);
        v4 = t;
        t = SWAP2_LO.selectFrom(v5, v7);
        v7 = SWAP2_HI.selectFrom(v5, v7);
        v5 = t;
        t = SWAP2_LO.selectFrom(v8, v10);
        v10 = SWAP2_HI.selectFrom(v8, v10);
        v8 = t;
        t = SWAP2_LO.selectFrom(v9, v11);
        v11 = SWAP2_HI.selectFrom(v9, v11);
        v9 = t;
        t = SWAP2_LO.selectFrom(v12, v14);
        v14 = SWAP2_HI.selectFrom(v12, v14);
        v12 = t;
        t = SWAP2_LO.selectFrom(v13, v15);
        v15 = SWAP2_HI.selectFrom(v13, v15);
        v13 = t;
        t = SWAP1_LO.selectFrom(v0, v1);
        v1 = SWAP1_HI.selectFrom(v0, v1);
        v0 = t;
        t = SWAP1_LO.selectFrom(v2, v3);
        v3 = SWAP1_HI.selectFrom(v2, v3);
        v2 = t;
        t = SWAP1_LO.selectFrom(v4, v5);
        v5 = SWAP1_HI.selectFrom(v4, v5);
        v4 = t;
        t = SWAP1_LO.selectFrom(v6, v7);
        v7 = SWAP1_HI.selectFrom(v6, v7);
        v6 = t;
        t = SWAP1_LO.selectFrom(v8, v9);
        v9 = SWAP1_HI.selectFrom(v8, v9);
        v8 = t;
        t = SWAP1_LO.selectFrom(v10, v11);
        v11 = SWAP1_HI.selectFrom(v10, v11);
        v10 = t;
        t = SWAP1_LO.selectFrom(v12, v13);
        v13 = SWAP1_HI.selectFrom(v12, v13);
        v12 = t;
        t = SWAP1_LO.selectFrom(v14, v15);
        v15 = SWAP1_HI.selectFrom(v14, v15);
        v14 = t;
        v0.intoArray(dst, dstOff + 0);
        v1.intoArray(dst, dstOff + dstStride);
        v2.intoArray(dst, dstOff + 2 * dstStride);
        v3.intoArray(dst, dstOff + 3 * dstStride);
        v4.intoArray(dst, dstOff + 4 * dstStride);
        v5.intoArray(dst, dstOff + 5 * dstStride);
        v6.intoArray(dst, dstOff + 6 * dstStride);
        v7.intoArray(dst, dstOff + 7 * dstStride);
        v8.intoArray(dst, dstOff + 8 * dstStride);
        v9.intoArray(dst, dstOff + 9 * dstStride);
        v10.intoArray(dst, dstOff + 10 * dstStride);
        v11.intoArray(dst, dstOff + 11 * dstStride);
        v12.intoArray(dst, dstOff + 12 * dstStride);
        v13.intoArray(dst, dstOff + 13 * dstStride);
        v14.intoArray(dst, dstOff + 14 * dstStride);
        v15.intoArray(dst, dstOff + 15 * dstStride);
    }
}
