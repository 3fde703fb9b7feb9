package dev.qwen4j.vision;

import java.util.Objects;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved R,G,B ("HWC" uint8 as numpy/PIL hold it).
 * The array is shared, not copied: treat it as read-only once built.
 */
public record RgbImage(int width, int height, byte[] pixels) {
    public RgbImage {
        Objects.requireNonNull(pixels, "pixels");
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        if (pixels.length != (long) width * height * 3)
            throw new IllegalArgumentException("pixels has " + pixels.length + " bytes, expected " + width + "*" + height + "*3");
    }

    /** Channel c (0=R, 1=G, 2=B) of pixel (x, y) as 0..255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }
}
