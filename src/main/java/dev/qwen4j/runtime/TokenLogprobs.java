package dev.qwen4j.runtime;

/**
 * The log-probability of a generated token and of the most likely alternatives, under the model's raw
 * distribution (log-softmax of the logits, before penalties, temperature and filtering: vLLM's default).
 *
 * @param token       the generated token
 * @param logprob     its log-probability
 * @param topTokens   the most likely tokens, most likely first (as many as the request asked for)
 * @param topLogprobs their log-probabilities
 */
public record TokenLogprobs(int token, float logprob, int[] topTokens, float[] topLogprobs) {
    /** Computes them from one row of logits over ids [0, limit). */
    static TokenLogprobs of(float[] logits, int offset, int limit, int token, int top) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < limit; i++) max = Math.max(max, logits[offset + i]);
        double sum = 0;
        for (int i = 0; i < limit; i++) sum += Math.exp(logits[offset + i] - max);
        float logZ = (float) (max + Math.log(sum));
        int[] ids = new int[top];
        float[] values = new float[top];
        int filled = 0;
        for (int i = 0; i < limit && top > 0; i++) {
            float v = logits[offset + i];
            if (filled == top && v <= values[top - 1]) continue;
            // Insertion into the small sorted list; ties keep the lower id first, like argmax.
            int at = Math.min(filled, top - 1);
            while (at > 0 && values[at - 1] < v) at--;
            int move = Math.min(filled, top - 1) - at;
            System.arraycopy(ids, at, ids, at + 1, move);
            System.arraycopy(values, at, values, at + 1, move);
            ids[at] = i;
            values[at] = v;
            if (filled < top) filled++;
        }
        for (int i = 0; i < filled; i++) values[i] -= logZ;
        return new TokenLogprobs(token, logits[offset + token] - logZ,
                java.util.Arrays.copyOf(ids, filled), java.util.Arrays.copyOf(values, filled));
    }
}
