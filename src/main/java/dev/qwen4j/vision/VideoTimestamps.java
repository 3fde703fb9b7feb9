package dev.qwen4j.vision;

/**
 * The time labels Qwen3-VL puts before each temporal group of a video ({@code Qwen3VLProcessor}): the
 * sampled indices are padded to a multiple of the group size by repeating the last one, turned into
 * seconds (index / fps), and each group is labelled with the mean of its first and last frame time,
 * printed like Python's {@code f"<{t:.1f} seconds>"}.
 */
public final class VideoTimestamps {
    private VideoTimestamps() {}

    /** One time in seconds per temporal group. sourceFps NaN or ≤ 0 means unknown (transformers then uses 24). */
    public static double[] perGroup(int[] indices, double sourceFps, int groupSize) {
        if (indices.length == 0) throw new IllegalArgumentException("no frame indices");
        if (groupSize < 1) throw new IllegalArgumentException("group size must be positive");
        double fps = Double.isNaN(sourceFps) || sourceFps <= 0 ? FrameSampler.FALLBACK_FPS : sourceFps;
        int groups = (indices.length + groupSize - 1) / groupSize;
        double[] out = new double[groups];
        for (int g = 0; g < groups; g++) {
            int first = indices[g * groupSize];
            int last = indices[Math.min(g * groupSize + groupSize - 1, indices.length - 1)];
            out[g] = (first / fps + last / fps) / 2;
        }
        return out;
    }

    /** {@code "<3.4 seconds>"}. */
    public static String label(double seconds) {
        return "<" + PythonRound.format1f(seconds) + " seconds>";
    }
}
