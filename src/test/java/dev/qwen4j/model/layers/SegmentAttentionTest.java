package dev.qwen4j.model.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The GEMM-based segment attention against its scalar twin, incl. query blocking and segment isolation. */
class SegmentAttentionTest {
    private final Random rnd = new Random(3);

    private float[] randomQkv(int n, int heads, int hd) {
        float[] qkv = new float[n * 3 * heads * hd];
        for (int i = 0; i < qkv.length; i++) qkv[i] = (float) rnd.nextGaussian();
        return qkv;
    }

    @Test
    void matchesScalar() {
        int[][] cases = {{1, 1, 8}, {4, 2, 16}, {16, 4, 64}, {37, 3, 72}, {300, 2, 32}}; // 300 > one query block
        for (int[] c : cases) {
            int n = c[0], heads = c[1], hd = c[2];
            float[] qkv = randomQkv(n, heads, hd);
            int[][] segmentings = {{0, n}, {0, n / 2, n}, {0, 1, n}};
            for (int[] bounds : segmentings) {
                float[] got = new float[n * heads * hd], want = new float[n * heads * hd];
                SegmentAttention.attend(qkv, heads, hd, bounds, got);
                SegmentAttention.attendScalar(qkv, heads, hd, bounds, want);
                for (int i = 0; i < got.length; i++) assertThat(got[i]).as("n=%d heads=%d hd=%d at %d", n, heads, hd, i).isCloseTo(want[i], within(2e-5f));
            }
        }
    }

    @Test
    void segmentsDoNotSeeEachOther() {
        int n = 20, heads = 2, hd = 16, hidden = heads * hd;
        float[] qkv = randomQkv(n, heads, hd);
        int[] bounds = {0, 12, 20};
        float[] before = new float[n * hidden];
        SegmentAttention.attend(qkv, heads, hd, bounds, before);
        // changing keys/values of the second segment leaves the first one's outputs alone
        for (int t = 12; t < n; t++) for (int j = hidden; j < 3 * hidden; j++) qkv[t * 3 * hidden + j] += 1f;
        float[] after = new float[n * hidden];
        SegmentAttention.attend(qkv, heads, hd, bounds, after);
        for (int i = 0; i < 12 * hidden; i++) assertThat(after[i]).isEqualTo(before[i]);
        boolean changed = false;
        for (int i = 12 * hidden; i < n * hidden; i++) changed |= after[i] != before[i];
        assertThat(changed).isTrue();
    }
}
