package dev.qwen4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The register transpose against the plain index formula, with scattered source and destination rows. */
class Transpose16Test {
    @Test
    void matchesTheScalarTransposeForAnyRowOffsets() {
        assumeTrue(Transpose16.SUPPORTED, "16-lane float vectors only");
        Random rnd = new Random(5);
        for (int trial = 0; trial < 50; trial++) {
            float[] src = new float[4096], dst = new float[4096];
            for (int i = 0; i < src.length; i++) src[i] = rnd.nextFloat();
            java.util.Arrays.fill(dst, -1f);
            // rows anywhere that do not overlap: 16 slots of 128 floats, shuffled
            int[] srcRows = shuffledRows(rnd), dstRows = shuffledRows(rnd);
            int srcCol = rnd.nextInt(100), dstCol = rnd.nextInt(100);
            float[] want = dst.clone();
            for (int i = 0; i < 16; i++) {
                for (int j = 0; j < 16; j++) want[dstRows[i] + dstCol + j] = src[srcRows[j] + srcCol + i];
            }
            Transpose16.transpose(src, srcRows, srcCol, dst, dstRows, dstCol);
            for (int i = 0; i < dst.length; i++) assertEquals(want[i], dst[i], "trial " + trial + ", dst[" + i + "]");
        }
    }

    @Test
    void uniformRowsAreMultiplesOfTheStride() {
        int[] rows = Transpose16.rows(48);
        assertEquals(16, rows.length);
        for (int i = 0; i < 16; i++) assertEquals(48 * i, rows[i]);
    }

    private static int[] shuffledRows(Random rnd) {
        int[] slots = new int[16];
        for (int i = 0; i < 16; i++) slots[i] = i;
        for (int i = 15; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = slots[i];
            slots[i] = slots[j];
            slots[j] = t;
        }
        int[] rows = new int[16];
        for (int i = 0; i < 16; i++) rows[i] = slots[i] * 128 + rnd.nextInt(8);
        return rows;
    }
}
