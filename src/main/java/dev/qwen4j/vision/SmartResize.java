package dev.qwen4j.vision;

/**
 * The Qwen2/3-VL {@code smart_resize} rules (transformers' image and video processors), in float64
 * with Python's half-to-even {@code round} (720/32 = 22.5 must give 22, not 23).
 */
public final class SmartResize {
    /** transformers rejects anything more elongated than this. */
    public static final double MAX_ASPECT_RATIO = 200;

    private SmartResize() {}

    /**
     * Image rule: keep the aspect ratio, round each side to a multiple of factor, then scale the
     * area into [minPixels, maxPixels].
     */
    public static ResizeTarget image(int height, int width, int factor, long minPixels, long maxPixels) {
        checkArgs(height, width, factor, minPixels, maxPixels);
        checkAspect(height, width);
        long hBar = PythonRound.round((double) height / factor) * factor;
        long wBar = PythonRound.round((double) width / factor) * factor;
        if (hBar * wBar > maxPixels) {
            double beta = Math.sqrt((double) height * width / maxPixels);
            hBar = Math.max(factor, (long) Math.floor(height / beta / factor) * factor);
            wBar = Math.max(factor, (long) Math.floor(width / beta / factor) * factor);
        } else if (hBar * wBar < minPixels) {
            double beta = Math.sqrt(minPixels / ((double) height * width));
            hBar = (long) Math.ceil(height * beta / factor) * factor;
            wBar = (long) Math.ceil(width * beta / factor) * factor;
        }
        return target(hBar, wBar);
    }

    /**
     * Video rule (Qwen3VLVideoProcessor): the pixel limits are totals over all frames. The budget test
     * uses the frame count rounded to temporalFactor, while the scale factor uses the true count.
     * Frames smaller than factor are first scaled up (truncating) so the short side reaches factor.
     */
    public static ResizeTarget video(int numFrames, int height, int width, int temporalFactor, int factor,
                                     long minPixels, long maxPixels) {
        checkArgs(height, width, factor, minPixels, maxPixels);
        if (numFrames < temporalFactor)
            throw new IllegalArgumentException("a video needs at least " + temporalFactor + " frames, got " + numFrames);
        if (height < factor || width < factor) {
            double scale = Math.max((double) factor / height, (double) factor / width);
            height = (int) (height * scale);
            width = (int) (width * scale);
        }
        checkAspect(height, width);
        long hBar = PythonRound.round((double) height / factor) * factor;
        long wBar = PythonRound.round((double) width / factor) * factor;
        long tBar = PythonRound.round((double) numFrames / temporalFactor) * temporalFactor;
        if (tBar * hBar * wBar > maxPixels) {
            double beta = Math.sqrt((double) numFrames * height * width / maxPixels);
            hBar = Math.max(factor, (long) Math.floor(height / beta / factor) * factor);
            wBar = Math.max(factor, (long) Math.floor(width / beta / factor) * factor);
        } else if (tBar * hBar * wBar < minPixels) {
            double beta = Math.sqrt(minPixels / ((double) numFrames * height * width));
            hBar = (long) Math.ceil(height * beta / factor) * factor;
            wBar = (long) Math.ceil(width * beta / factor) * factor;
        }
        return target(hBar, wBar);
    }

    private static void checkArgs(int height, int width, int factor, long minPixels, long maxPixels) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("size must be positive, got " + height + "x" + width);
        if (factor <= 0) throw new IllegalArgumentException("factor must be positive, got " + factor);
        if (minPixels < 0 || maxPixels <= 0 || minPixels > maxPixels)
            throw new IllegalArgumentException("need 0 <= min_pixels <= max_pixels and max_pixels > 0, got min_pixels="
                    + minPixels + " max_pixels=" + maxPixels);
    }

    private static void checkAspect(int height, int width) {
        double ratio = (double) Math.max(height, width) / Math.min(height, width);
        if (ratio > MAX_ASPECT_RATIO)
            throw new IllegalArgumentException("absolute aspect ratio must be at most " + (int) MAX_ASPECT_RATIO
                    + ", got " + ratio + " (" + width + "x" + height + ")");
    }

    private static ResizeTarget target(long h, long w) {
        if (h <= 0 || w <= 0 || h > Integer.MAX_VALUE || w > Integer.MAX_VALUE)
            throw new IllegalArgumentException("resize target out of range: " + h + "x" + w);
        return new ResizeTarget((int) h, (int) w);
    }
}
