package dev.qwen4j.vision;

/**
 * Per-call overrides of the video processor settings; null keeps the config's value. {@code fps} and
 * {@code numFrames} are exclusive, as in transformers: numFrames takes exactly that many frames.
 * {@code capPixelsPerFrame} is transformers' opt-in {@code cap_pixels_per_frame} (qwen-vl-utils' per-frame
 * budget; off unless set, as in transformers today).
 */
public record VideoOptions(Double fps, Integer numFrames, Long minPixels, Long maxPixels, boolean capPixelsPerFrame) {
    public VideoOptions {
        if (fps != null && numFrames != null) throw new IllegalArgumentException("fps and numFrames are mutually exclusive");
        if (fps != null && !(fps > 0)) throw new IllegalArgumentException("fps must be positive, got " + fps);
        if (numFrames != null && numFrames < 1) throw new IllegalArgumentException("numFrames must be positive, got " + numFrames);
    }

    public VideoOptions(Double fps, Integer numFrames, Long minPixels, Long maxPixels) {
        this(fps, numFrames, minPixels, maxPixels, false);
    }

    public static VideoOptions defaults() {
        return new VideoOptions(null, null, null, null, false);
    }
}
