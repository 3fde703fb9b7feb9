package dev.qwen4j.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * bf16 / f16 → f32 conversion, scalar and one float vector at a time, straight from (little-endian,
 * possibly unaligned) storage. Shared by the matmul kernels.
 */
final class Halfs {
    private Halfs() {}

    /** The float species every kernel uses: 16 lanes with AVX-512, 8 with AVX2. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Ints of the same shape as {@link #F}. */
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Shorts at half the shape of {@link #F}, so one load holds exactly one float vector's worth. */
    static final VectorSpecies<Short> S_HALF =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FloatVector.SPECIES_PREFERRED.vectorBitSize() / 2));

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** 2^112 = 2^(127 - 15): rebiases an f16 exponent placed in the f32 exponent field. */
    private static final float F16_REBIAS = 0x1p112f;

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** F.length() bf16 values at byte offset off, widened to f32: a bf16 is the top half of an f32. */
    static FloatVector bf16(MemorySegment seg, long off) {
        return ((IntVector) ShortVector.fromMemorySegment(S_HALF, seg, off, LE)
                        .convertShape(VectorOperators.S2I, I, 0))
                .lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    /**
     * F.length() IEEE half values at byte offset off, converted exactly to f32. The Vector API has no
     * half→float conversion in JDK 25, so this does it with integer ops: shifting exponent+mantissa
     * left by 13 puts them in the f32 fields, and one multiply by 2^112 fixes the exponent bias for
     * normal numbers and, because f16 subnormals become f32 subnormals of the same significand,
     * for subnormals and zero as well (exact: a power-of-two scale). Inf/NaN (exponent 31) would
     * come out finite, so those lanes get an all-ones exponent instead. The sign is OR-ed last.
     */
    static FloatVector f16(MemorySegment seg, long off) {
        // sign-extending widen: bit 31 of each int is the f16 sign bit
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S_HALF, seg, off, LE)
                .convertShape(VectorOperators.S2I, I, 0);
        IntVector magnitude = h.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(F16_REBIAS).reinterpretAsInts();
        IntVector bits = finite.blend(shifted.or(0x7F80_0000), magnitude.compare(VectorOperators.GE, 0x7C00));
        return bits.or(h.and(0x8000_0000)).reinterpretAsFloats();
    }
}
