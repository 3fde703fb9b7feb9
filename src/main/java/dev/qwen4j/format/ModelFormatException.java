package dev.qwen4j.format;

/** A model file is missing, unreadable, corrupt, or does not match what the configuration says. */
public class ModelFormatException extends RuntimeException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
