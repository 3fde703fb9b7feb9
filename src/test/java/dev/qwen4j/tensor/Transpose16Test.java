package dev.qwen4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The register transpose against the plain index formula, for strides wider than, equal to and beyond a block. */
class Transpose16Test {
    @Test
    void matchesTheScalarTranspose() {
        assumeTrue(Transpose16.SUPPORTED, "16-lane float vectors only");
        Random rnd = new Random(5);
        int[][] strides = {{16, 16}, {64, 32}, {256, 32}, {128, 1000}, {17, 23}};
        for (int[] st : strides) {
            int srcStride = st[0], dstStride = st[1];
            for (int trial = 0; trial < 10; trial++) {
                int srcOff = rnd.nextInt(40), dstOff = rnd.nextInt(40);
                float[] src = new float[srcOff + 16 * srcStride + 16];
                for (int i = 0; i < src.length; i++) src[i] = rnd.nextFloat();
                float[] dst = new float[dstOff + 16 * dstStride + 16];
                Arrays.fill(dst, -1f);
                float[] want = dst.clone();
                for (int i = 0; i < 16; i++) {
                    for (int j = 0; j < 16; j++) want[dstOff + i * dstStride + j] = src[srcOff + j * srcStride + i];
                }
                Transpose16.transpose(src, srcOff, srcStride, dst, dstOff, dstStride);
                for (int i = 0; i < dst.length; i++) {
                    assertEquals(want[i], dst[i], "strides " + srcStride + "/" + dstStride + ", dst[" + i + "]");
                }
            }
        }
    }
}
