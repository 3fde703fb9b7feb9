package dev.qwen4j.runtime;

/** A prompt that can never be served: longer than the context, or needing more KV memory than the whole budget. */
public final class PromptTooLongException extends IllegalArgumentException {
    private final int promptTokens;
    private final int limit;

    public PromptTooLongException(String message, int promptTokens, int limit) {
        super(message);
        this.promptTokens = promptTokens;
        this.limit = limit;
    }

    public int promptTokens() { return promptTokens; }
    public int limit() { return limit; }
}
