package dev.qwen4j.cli;

/** A mistake in how a command was called; printed without a stack trace, exit code 2. */
public final class UsageError extends RuntimeException {
    public UsageError(String message) {
        super(message);
    }
}
