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

    /** With a sentence saying what made the sequence that long (e.g. how many image tokens it holds). */
    public ContextOverflowException(int requested, int limit, String detail) {
        super("sequence of " + requested + " tokens exceeds the context length of " + limit + " tokens: " + detail);
        this.requested = requested;
        this.limit = limit;
    }

    public int requested() { return requested; }
    public int limit() { return limit; }
}
