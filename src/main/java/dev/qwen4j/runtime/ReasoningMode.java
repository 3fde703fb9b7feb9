package dev.qwen4j.runtime;

/** Whether generated text is split into reasoning ({@code <think>…</think>}) and content. */
public enum ReasoningMode {
    /** Everything is content. */
    NONE,
    /** Thinking models: reasoning starts when the model writes {@code <think>}. */
    SPLIT,
    /** The prompt already opened {@code <think>\n} (Qwen3 Thinking templates): output starts as reasoning. */
    SPLIT_STARTS_IN_REASONING
}
