package dev.qwen4j.model;

/** A sequence would grow past the model's context length. */
public class ContextOverflowException extends RuntimeException {
    private final int requested;
    private final int limit;

    public ContextOverflowException(int requested, int limit) {
        super("sequence of " + requested + " tokens exceeds the context length of " + limit + " tokens");
        this.requested = requested;
        this.limit = limit;
    }

    public int requested() { return requested; }
    public int limit() { return limit; }
}
