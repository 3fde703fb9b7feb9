package dev.qwen4j.vision;

import java.util.ArrayList;
import java.util.List;

/**
 * A processed video: the vision tensor (grid (t, h, w)), the source frames that were sampled, the
 * source frame rate used for time, and one timestamp (seconds) per temporal group for the prompt.
 */
public record VideoInput(VisionInput vision, int[] frameIndices, double sourceFps, double[] timestamps) {
    public VideoInput {
        if (timestamps.length != vision.gridT())
            throw new IllegalArgumentException(timestamps.length + " timestamps for " + vision.gridT() + " temporal groups");
    }

    /** {@code <|video_pad|>} tokens per temporal group (h·w / merge²). */
    public int tokensPerGroup() {
        return vision.numTokens() / vision.gridT();
    }

    /** The {@code "<t seconds>"} text before temporal group g. */
    public String timestampLabel(int group) {
        return VideoTimestamps.label(timestamps[group]);
    }

    public List<String> timestampLabels() {
        List<String> out = new ArrayList<>(timestamps.length);
        for (double t : timestamps) out.add(VideoTimestamps.label(t));
        return out;
    }
}
