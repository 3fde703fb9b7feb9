package dev.qwen4j.runtime;

/** Why a sequence ended. */
public enum StopReason {
    /** An end-of-sequence token. */
    EOS,
    /** One of the request's stop strings. */
    STOP_STRING,
    /** The request's max tokens. */
    MAX_TOKENS,
    /** The model's (or server's) context length, or a sequence that outgrew the whole KV budget. */
    CONTEXT_LENGTH,
    /** The client went away or cancelled. */
    CANCELLED,
    /** The request ran past its deadline. */
    TIMEOUT,
    /** The engine failed on this sequence (see the result's error). */
    ERROR;

    /** OpenAI's finish_reason: "stop" or "length"; null for endings that are not a normal finish. */
    public String openAiName() {
        return switch (this) {
            case EOS, STOP_STRING -> "stop";
            case MAX_TOKENS, CONTEXT_LENGTH -> "length";
            case CANCELLED, TIMEOUT, ERROR -> null;
        };
    }
}
