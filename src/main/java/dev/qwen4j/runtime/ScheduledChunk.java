package dev.qwen4j.runtime;

/**
 * Tokens [from, to) of one sequence that run in this step. When the chunk reaches the end of the
 * sequence's known tokens its last row yields logits and a new token is sampled.
 */
record ScheduledChunk(Sequence sequence, int from, int to, boolean samples) {
    int length() {
        return to - from;
    }
}
