package dev.qwen4j.runtime;

import dev.qwen4j.runtime.sampling.SamplingParams;
import java.util.Objects;

/**
 * One sequence to generate.
 *
 * @param id             caller's id, for logs and metrics
 * @param prompt         prompt token ids (at least one)
 * @param params         sampling, stop strings, EOS ids (empty: the engine's defaults) and max tokens
 * @param reasoning      how to split output into reasoning and content; {@link ReasoningMode#NONE} for plain text
 * @param deadlineNanos  {@link System#nanoTime()} after which the request is ended with {@link StopReason#TIMEOUT};
 *                       {@link Long#MAX_VALUE} for none
 * @param embeddings     image/video inputs of the prompt (Qwen3-VL), or null for a text prompt
 * @param logprobs       -1 for none, else report each token's log-probability and this many top alternatives
 * @param jsonObject     constrain the output to one JSON object (OpenAI's response_format json_object)
 */
public record GenerationRequest(String id, int[] prompt, SamplingParams params, ReasoningMode reasoning,
                                long deadlineNanos, PromptEmbeddings embeddings, int logprobs, boolean jsonObject) {
    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(reasoning, "reasoning");
        if (prompt == null || prompt.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one token");
        if (logprobs < -1) throw new IllegalArgumentException("logprobs must be >= -1 but was " + logprobs);
        prompt = prompt.clone();
    }

    public GenerationRequest(String id, int[] prompt, SamplingParams params, ReasoningMode reasoning, long deadlineNanos,
                             PromptEmbeddings embeddings) {
        this(id, prompt, params, reasoning, deadlineNanos, embeddings, -1, false);
    }

    public GenerationRequest(String id, int[] prompt, SamplingParams params, ReasoningMode reasoning, long deadlineNanos) {
        this(id, prompt, params, reasoning, deadlineNanos, null, -1, false);
    }

    public GenerationRequest(String id, int[] prompt, SamplingParams params) {
        this(id, prompt, params, ReasoningMode.NONE, Long.MAX_VALUE, null, -1, false);
    }

    public GenerationRequest withLogprobs(int top) {
        return new GenerationRequest(id, prompt, params, reasoning, deadlineNanos, embeddings, top, jsonObject);
    }

    public GenerationRequest withJsonObject(boolean on) {
        return new GenerationRequest(id, prompt, params, reasoning, deadlineNanos, embeddings, logprobs, on);
    }
}
