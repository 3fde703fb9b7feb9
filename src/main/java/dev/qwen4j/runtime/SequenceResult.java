package dev.qwen4j.runtime;

/**
 * How a sequence ended.
 *
 * @param reason             why it stopped
 * @param tokenIds           generated ids (an EOS that ended it included)
 * @param text               the generated text, cut before a stop string
 * @param promptTokens       prompt length
 * @param cachedPromptTokens prompt tokens whose KV came from the prefix cache instead of being computed
 * @param firstTokenNanos    time from submission to the first token (0 if none)
 * @param totalNanos         time from submission to the end
 * @param error              the failure for {@link StopReason#ERROR}, else null
 */
public record SequenceResult(StopReason reason, int[] tokenIds, String text, int promptTokens, int cachedPromptTokens,
                             long firstTokenNanos, long totalNanos, Throwable error) {
    public int completionTokens() {
        return tokenIds.length;
    }
}
