package dev.qwen4j.vision;

/**
 * Which source frames a Qwen3-VL video keeps (transformers' {@code Qwen3VLVideoProcessor.sample_frames}):
 * n = ⌊total / source_fps · fps⌋ clamped to [min_frames, max_frames] and to total, then indices
 * {@code round(linspace(0, total − 1, n))} with numpy's half-to-even rounding.
 */
public final class FrameSampler {
    /** transformers assumes this frame rate (with a warning) when the video has no fps metadata. */
    public static final double FALLBACK_FPS = 24;

    private FrameSampler() {}

    /** Frame count from a target sampling rate ({@code fps}); sourceFps NaN or ≤ 0 means unknown. */
    public static int countForFps(int totalFrames, double sourceFps, double fps, int minFrames, int maxFrames) {
        checkTotal(totalFrames);
        double src = Double.isNaN(sourceFps) || sourceFps <= 0 ? FALLBACK_FPS : sourceFps;
        long n = (long) (totalFrames / src * fps); // Python int(): truncation toward zero
        n = Math.min(Math.min(Math.max(n, minFrames), maxFrames), totalFrames);
        return (int) n;
    }

    /** {@code round(linspace(0, total − 1, n))}; n is used as given (it may exceed total: indices then repeat). */
    public static int[] indices(int totalFrames, int n) {
        checkTotal(totalFrames);
        if (n < 1) throw new IllegalArgumentException("need at least one frame, got " + n);
        int[] out = new int[n];
        if (n == 1) return out; // numpy: linspace(a, b, 1) == [a]
        double stop = totalFrames - 1;
        double step = stop / (n - 1);
        for (int i = 0; i < n - 1; i++) out[i] = (int) PythonRound.round(i * step);
        out[n - 1] = totalFrames - 1; // numpy sets the endpoint exactly
        return out;
    }

    /** Indices with the processor's settings: sampled at {@code config.fps()}, or every frame when sampling is off. */
    public static int[] indices(int totalFrames, double sourceFps, ProcessorConfig config) {
        if (!config.doSampleFrames()) return indices(totalFrames, totalFrames);
        return indices(totalFrames, countForFps(totalFrames, sourceFps, config.fps(), config.minFrames(), config.maxFrames()));
    }

    private static void checkTotal(int totalFrames) {
        if (totalFrames < 1) throw new IllegalArgumentException("video has no frames");
    }
}
