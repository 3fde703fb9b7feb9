package dev.qwen4j.runtime;

import dev.qwen4j.model.MultimodalPrompt;
import dev.qwen4j.runtime.grammar.Grammar;
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
 * @param multimodal     the prompt with its image/video features and M-RoPE positions (Qwen3-VL; its ids are
 *                       {@code prompt}), or null for a text prompt
 * @param logprobs       -1 for none, else report each token's log-probability and this many top alternatives
 * @param grammar        constrain the output (after the reasoning, for thinking prompts) to this grammar, e.g.
 *                       a JSON schema's (OpenAI's response_format); null for free text
 */
public record GenerationRequest(String id, int[] prompt, SamplingParams params, ReasoningMode reasoning,
                                long deadlineNanos, MultimodalPrompt multimodal, int logprobs, Grammar grammar) {
    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(reasoning, "reasoning");
        if (prompt == null || prompt.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one token");
        if (logprobs < -1) throw new IllegalArgumentException("logprobs must be >= -1 but was " + logprobs);
        prompt = prompt.clone();
        if (multimodal != null && !java.util.Arrays.equals(multimodal.ids(), prompt)) {
            throw new IllegalArgumentException("the multimodal prompt's ids differ from the prompt");
        }
    }

    public GenerationRequest(String id, int[] prompt, SamplingParams params, ReasoningMode reasoning, long deadlineNanos,
                             MultimodalPrompt multimodal) {
        this(id, prompt, params, reasoning, deadlineNanos, multimodal, -1, null);
    }

    public GenerationRequest(String id, int[] prompt, SamplingParams params, ReasoningMode reasoning, long deadlineNanos) {
        this(id, prompt, params, reasoning, deadlineNanos, null, -1, null);
    }

    public GenerationRequest(String id, int[] prompt, SamplingParams params) {
        this(id, prompt, params, ReasoningMode.NONE, Long.MAX_VALUE, null, -1, null);
    }

    public GenerationRequest withLogprobs(int top) {
        return new GenerationRequest(id, prompt, params, reasoning, deadlineNanos, multimodal, top, grammar);
    }

    public GenerationRequest withGrammar(Grammar g) {
        return new GenerationRequest(id, prompt, params, reasoning, deadlineNanos, multimodal, logprobs, g);
    }
}
