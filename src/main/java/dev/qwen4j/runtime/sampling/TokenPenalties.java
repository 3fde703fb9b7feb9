package dev.qwen4j.runtime.sampling;

/**
 * The token history of one sequence and the penalties it implies.
 *
 * <ul>
 *   <li>Repetition penalty (Hugging Face / CTRL) on every distinct token of prompt and output: a negative logit is
 *       multiplied by the penalty, any other divided by it, once per distinct token however often it occurred.
 *   <li>Presence and frequency penalties (OpenAI / vLLM) on output tokens only:
 *       {@code logit -= frequency * count; logit -= presence * [count > 0]}.
 * </ul>
 *
 * Applying touches only the distinct tokens seen, not the vocabulary. State is allocated only for the penalties
 * that are switched on.
 */
final class TokenPenalties {
    private final int vocabSize;
    private final float repetitionPenalty;
    private final float presencePenalty;
    private final float frequencyPenalty;

    // Repetition: distinct tokens of prompt + output, with a bit set for O(1) membership.
    private final long[] seenBits;
    private final IntList seenTokens;

    // Presence/frequency: occurrence count per output token, and which tokens have a non-zero count.
    private final int[] outputCounts;
    private final IntList outputTokens;

    TokenPenalties(SamplingParams params, int vocabSize) {
        this.vocabSize = vocabSize;
        this.repetitionPenalty = params.repetitionPenalty();
        this.presencePenalty = params.presencePenalty();
        this.frequencyPenalty = params.frequencyPenalty();
        boolean repetition = repetitionPenalty != 1f;
        boolean occurrence = presencePenalty != 0f || frequencyPenalty != 0f;
        seenBits = repetition ? new long[(vocabSize + 63) >>> 6] : null;
        seenTokens = repetition ? new IntList(256) : null;
        outputCounts = occurrence ? new int[vocabSize] : null;
        outputTokens = occurrence ? new IntList(256) : null;
    }

    void recordPrompt(int[] promptTokens) {
        for (int token : promptTokens) {
            checkToken(token, "prompt token");
            markSeen(token);
        }
    }

    void recordOutput(int token) {
        checkToken(token, "generated token");
        markSeen(token);
        if (outputCounts != null && outputCounts[token]++ == 0) {
            outputTokens.add(token);
        }
    }

    /** Penalizes {@code logits[0 .. limit)} in place; tokens at or above {@code limit} are masked anyway. */
    void apply(float[] logits, int limit) {
        if (seenTokens != null) {
            float penalty = repetitionPenalty;
            for (int i = 0, n = seenTokens.size(); i < n; i++) {
                int token = seenTokens.get(i);
                if (token < limit) {
                    float logit = logits[token];
                    logits[token] = logit < 0f ? logit * penalty : logit / penalty;
                }
            }
        }
        if (outputTokens != null) {
            for (int i = 0, n = outputTokens.size(); i < n; i++) {
                int token = outputTokens.get(i);
                if (token < limit) {
                    // Two float subtractions in this order, as vLLM does them.
                    float logit = logits[token] - frequencyPenalty * outputCounts[token];
                    logits[token] = logit - presencePenalty;
                }
            }
        }
    }

    private void markSeen(int token) {
        if (seenBits == null) {
            return;
        }
        long bit = 1L << token;
        int word = token >>> 6;
        if ((seenBits[word] & bit) == 0) {
            seenBits[word] |= bit;
            seenTokens.add(token);
        }
    }

    private void checkToken(int token, String what) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException(what + " " + token + " is outside the vocabulary [0, " + vocabSize + ")");
        }
    }
}
