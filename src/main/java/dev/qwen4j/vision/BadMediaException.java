package dev.qwen4j.vision;

/**
 * An image or video could not be used: not a media file, truncated, zero-sized, too large, or in a
 * layout we cannot convert. The message always names the file (or the caller's label for in-memory bytes).
 */
public class BadMediaException extends RuntimeException {
    public BadMediaException(String message) {
        super(message);
    }

    public BadMediaException(String message, Throwable cause) {
        super(message, cause);
    }
}
