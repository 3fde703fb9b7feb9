package dev.qwen4j.vision;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrameSamplerTest {
    /** The spec's worked example (§5.5): 300 frames at 30 fps, sampled at 2 fps. */
    @Test
    void specExampleIndicesAndTimestamps() {
        int n = FrameSampler.countForFps(300, 30, 2, 4, 768);
        assertThat(n).isEqualTo(20);
        int[] idx = FrameSampler.indices(300, n);
        assertThat(idx).containsExactly(0, 16, 31, 47, 63, 79, 94, 110, 126, 142, 157, 173, 189, 205, 220, 236, 252, 268, 283, 299);
        double[] ts = VideoTimestamps.perGroup(idx, 30, 2);
        String[] labels = new String[ts.length];
        for (int i = 0; i < ts.length; i++) labels[i] = VideoTimestamps.label(ts[i]);
        assertThat(labels).containsExactly("<0.3 seconds>", "<1.3 seconds>", "<2.4 seconds>", "<3.4 seconds>",
                "<4.5 seconds>", "<5.5 seconds>", "<6.6 seconds>", "<7.6 seconds>", "<8.7 seconds>", "<9.7 seconds>");
    }

    @Test
    void countIsClampedToMinMaxAndTotal() {
        assertThat(FrameSampler.countForFps(45, 30, 2, 4, 768)).isEqualTo(4);    // 3 -> min 4
        assertThat(FrameSampler.countForFps(3, 30, 2, 4, 768)).isEqualTo(3);     // but never more than the video has
        assertThat(FrameSampler.countForFps(100_000, 30, 2, 4, 768)).isEqualTo(768);
        assertThat(FrameSampler.countForFps(299, 30, 2, 4, 768)).isEqualTo(19);  // int() truncates 19.93
        assertThat(FrameSampler.countForFps(240, Double.NaN, 2, 4, 768)).isEqualTo(20); // unknown fps: 24 assumed
    }

    @Test
    void linspaceRoundsHalfToEvenAndHitsTheEnd() {
        assertThat(FrameSampler.indices(45, 4)).containsExactly(0, 15, 29, 44);
        assertThat(FrameSampler.indices(6, 3)).containsExactly(0, 2, 5);  // 2.5 -> 2
        assertThat(FrameSampler.indices(8, 3)).containsExactly(0, 4, 7);  // 3.5 -> 4
        assertThat(FrameSampler.indices(10, 1)).containsExactly(0);
        assertThat(FrameSampler.indices(3, 5)).containsExactly(0, 0, 1, 2, 2); // explicit count > total repeats frames
    }

    @Test
    void oddCountsRepeatTheLastIndexForTheLastGroup() {
        assertThat(VideoTimestamps.perGroup(new int[] {0, 10, 20}, 10, 2)).containsExactly(0.5, 2.0);
    }
}
