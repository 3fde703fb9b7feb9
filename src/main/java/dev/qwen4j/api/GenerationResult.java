package dev.qwen4j.api;

/**
 * A finished generation.
 *
 * @param tokenIds the generated ids (the EOS token that ended it included, as transformers returns it)
 * @param text the decoded text of the generated ids, cut at a stop string if one was hit
 * @param prefillNanos time spent on the prompt
 * @param decodeNanos time spent generating after the first token
 */
public record GenerationResult(int[] tokenIds, String text, FinishReason finishReason, int promptTokens,
                               long prefillNanos, long decodeNanos) {
    public double prefillTokensPerSecond() {
        return prefillNanos == 0 ? 0 : promptTokens * 1e9 / prefillNanos;
    }

    /** Tokens per second over the tokens after the first (the first comes out of prefill). */
    public double decodeTokensPerSecond() {
        return decodeNanos == 0 || tokenIds.length < 2 ? 0 : (tokenIds.length - 1) * 1e9 / decodeNanos;
    }
}
