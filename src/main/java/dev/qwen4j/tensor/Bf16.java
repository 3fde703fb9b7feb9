package dev.qwen4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** bf16 values held as their bit patterns in short[] (the top half of an f32): rounding in, widening out. */
public final class Bf16 {
    private Bf16() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Shorts at half the shape of {@link #F}: one load widens to exactly one float vector. */
    private static final VectorSpecies<Short> S_HALF = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));

    /** f32 → bf16 rounding to nearest even, as torch does; NaN stays a quiet NaN. */
    public static short round(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    public static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** dst[d + i] = round(src[s + i]) for i &lt; n. */
    public static void round(float[] src, int s, short[] dst, int d, int n) {
        for (int i = 0; i < n; i++) dst[d + i] = round(src[s + i]);
    }

    /** F.length() bf16 values from a[off], widened to f32 (exact). */
    public static FloatVector load(short[] a, int off) {
        return ((IntVector) ShortVector.fromArray(S_HALF, a, off).convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }
}
