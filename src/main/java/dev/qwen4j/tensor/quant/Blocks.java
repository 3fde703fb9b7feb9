package dev.qwen4j.tensor.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Shared pieces of the block formats: little-endian layouts, the vector species, ggml's rounding helpers. */
final class Blocks {
    private Blocks() {}

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

    /** The float species of every kernel: 16 lanes with AVX-512, 8 with AVX2. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Bytes with as many lanes as {@link #F}, so one byte load widens to exactly one float vector. */
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    static float f16(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(I16, off));
    }

    static void putF16(MemorySegment s, long off, float v) {
        s.set(I16, off, Float.floatToFloat16(v));
    }

    /** The f16 value v rounds to, back in f32 (ggml re-reads stored scales before using them). */
    static float roundF16(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    static int u8(MemorySegment s, long off) {
        return s.get(I8, off) & 0xFF;
    }

    /** Ints with as many lanes as {@link #F}: nibble and bit-field work is done in int lanes (x86 has no byte shifts). */
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    /** L signed bytes widened to int lanes (sign-extended). */
    static IntVector bytesToInts(ByteVector v) {
        return (IntVector) v.convertShape(jdk.incubator.vector.VectorOperators.B2I, I, 0);
    }

    static FloatVector intsToFloats(IntVector v) {
        return (FloatVector) v.convertShape(jdk.incubator.vector.VectorOperators.I2F, F, 0);
    }

    /** L signed bytes at off, widened to f32 lanes. */
    static FloatVector bytesToFloats(ByteVector v) {
        return (FloatVector) v.convertShape(jdk.incubator.vector.VectorOperators.B2F, F, 0);
    }

    /**
     * ggml's nearest_int: adding 1.5·2²³ leaves round(f) (ties to even) in the low mantissa bits. Using the
     * same trick rather than Math.rint keeps out-of-range inputs producing the same bits as llama.cpp.
     */
    static int nearestInt(float f) {
        float v = f + 12582912.f;
        return (Float.floatToRawIntBits(v) & 0x007fffff) - 0x00400000;
    }

    /** C's roundf: halves away from zero (Math.round would send -2.5 to -2). */
    static int roundHalfAway(float v) {
        double a = Math.floor(Math.abs((double) v) + 0.5);
        return (int) (v < 0 ? -a : a);
    }
}
