package dev.qwen4j.runtime.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKThresholdTest {

    @Test
    void matchesSortingOnRandomAndTiedScores() {
        Random random = new Random(11);
        TopKThreshold threshold = new TopKThreshold();
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(400);
            float[] scores = new float[n];
            boolean tied = trial % 2 == 0;
            for (int i = 0; i < n; i++) {
                scores[i] = tied ? random.nextInt(5) : (float) random.nextGaussian();
            }
            int k = 1 + random.nextInt(n);
            float[] sorted = scores.clone();
            Arrays.sort(sorted);
            assertThat(threshold.kthLargest(scores, n, k)).as("n=%d k=%d", n, k).isEqualTo(sorted[n - k]);
        }
    }

    @Test
    void ignoresNegativeInfinityAndScoresPastTheLimit() {
        float inf = Float.NEGATIVE_INFINITY;
        float[] scores = {inf, 3f, inf, 1f, 2f, 100f};
        TopKThreshold threshold = new TopKThreshold();
        assertThat(threshold.kthLargest(scores, 5, 2)).isEqualTo(2f);
        assertThat(threshold.kthLargest(scores, 5, 4)).as("fewer finite than k: smallest finite").isEqualTo(1f);
    }

    @Test
    void worstCaseAscendingInputStillCorrect() {
        float[] ascending = new float[10_000];
        for (int i = 0; i < ascending.length; i++) ascending[i] = i;
        assertThat(new TopKThreshold().kthLargest(ascending, ascending.length, 1000)).isEqualTo(9000f);
    }
}
