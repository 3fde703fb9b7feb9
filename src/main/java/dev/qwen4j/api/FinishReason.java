package dev.qwen4j.api;

/** Why generation stopped, in OpenAI's vocabulary. */
public enum FinishReason {
    /** An end-of-sequence token or a stop string. */
    STOP,
    /** max tokens or the context length reached. */
    LENGTH;

    public String openAiName() {
        return this == STOP ? "stop" : "length";
    }
}
