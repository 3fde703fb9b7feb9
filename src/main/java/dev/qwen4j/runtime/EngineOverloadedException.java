package dev.qwen4j.runtime;

/** The wait queue is full: the caller should retry after {@link #retryAfterSeconds()}. */
public final class EngineOverloadedException extends RuntimeException {
    private final int retryAfterSeconds;

    public EngineOverloadedException(int waiting, int retryAfterSeconds) {
        super("the server is busy: " + waiting + " requests are already waiting; retry in " + retryAfterSeconds + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
