package dev.qwen4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** Exhaustive check of the vector bf16/f16 conversions over all 65536 bit patterns. */
class HalfsTest {
    private static final int L = Halfs.F.length();

    /** All 16-bit patterns, stored from byte offset 2 (or 6) so loads are unaligned. */
    private static MemorySegment allPatterns(int byteOffset) {
        MemorySegment s = Arena.ofAuto().allocate(2 * 65536 + 16, 64).asSlice(byteOffset, 2 * 65536);
        for (int i = 0; i < 65536; i++) s.setAtIndex(WeightMatrix.I16, i, (short) i);
        return s;
    }

    /** Repeated so the later passes run the C2-compiled (intrinsified) vector code, not the interpreter's. */
    private static final int PASSES = 12;

    @Test
    void f16VectorMatchesFloatFloat16ToFloat() {
        for (int pass = 0; pass < PASSES; pass++) {
            int byteOffset = pass % 2 == 0 ? 2 : 6;
            MemorySegment s = allPatterns(byteOffset);
            float[] lanes = new float[L];
            for (int i = 0; i < 65536; i += L) {
                Halfs.f16(s, 2L * i).intoArray(lanes, 0);
                for (int j = 0; j < L; j++) {
                    short h = (short) (i + j);
                    float want = Float.float16ToFloat(h);
                    float got = lanes[j];
                    if (Float.isNaN(want)) {
                        // NaN: same sign, still NaN (payload quieting may differ between JIT and interpreter)
                        assertTrue(Float.isNaN(got), () -> "f16 " + Integer.toHexString(h & 0xFFFF));
                        assertEquals(Float.floatToRawIntBits(want) >>> 31, Float.floatToRawIntBits(got) >>> 31);
                    } else {
                        int hh = h & 0xFFFF;
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got),
                                () -> "f16 0x" + Integer.toHexString(hh));
                    }
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(Halfs.f16ToFloat(h)));
                }
            }
        }
    }

    @Test
    void bf16VectorIsTheTopHalfOfAFloat() {
        MemorySegment s = allPatterns(6);
        float[] lanes = new float[L];
        for (int pass = 0; pass < PASSES; pass++) for (int i = 0; i < 65536; i += L) {
            FloatVector v = Halfs.bf16(s, 2L * i);
            v.intoArray(lanes, 0);
            for (int j = 0; j < L; j++) {
                int want = (i + j) << 16;
                assertEquals(want, Float.floatToRawIntBits(lanes[j]), "bf16 " + Integer.toHexString(i + j));
                assertEquals(want, Float.floatToRawIntBits(Halfs.bf16ToFloat((short) (i + j))));
            }
        }
    }
}
