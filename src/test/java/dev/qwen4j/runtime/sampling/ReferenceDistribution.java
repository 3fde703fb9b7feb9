package dev.qwen4j.runtime.sampling;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A deliberately naive transcription of Hugging Face's logits processors (plus vLLM's presence/frequency
 * penalties): full sorts, boxed collections, one step at a time. The oracle {@link Sampler} is checked against.
 */
final class ReferenceDistribution {
    private ReferenceDistribution() {}

    /**
     * The probability of each of the first {@code vocabSize} tokens after all processors.
     *
     * @param maskFrom ids at or above it get probability 0
     */
    static double[] of(float[] rawLogits, int vocabSize, int maskFrom, SamplingParams p, int[] prompt,
            int[] generated) {
        float[] s = Arrays.copyOf(rawLogits, vocabSize);
        for (int i = maskFrom; i < vocabSize; i++) {
            s[i] = Float.NEGATIVE_INFINITY;
        }

        // RepetitionPenaltyLogitsProcessor: gather, penalize, scatter (duplicates count once).
        Set<Integer> history = new HashSet<>();
        for (int t : prompt) history.add(t);
        for (int t : generated) history.add(t);
        for (int t : history) {
            if (t < maskFrom) {
                s[t] = s[t] < 0 ? s[t] * p.repetitionPenalty() : s[t] / p.repetitionPenalty();
            }
        }
        // vLLM: logits -= frequency * counts; logits -= presence * (counts > 0), output tokens only.
        Map<Integer, Integer> counts = new HashMap<>();
        for (int t : generated) counts.merge(t, 1, Integer::sum);
        for (var e : counts.entrySet()) {
            int t = e.getKey();
            if (t < maskFrom) {
                s[t] = s[t] - p.frequencyPenalty() * (float) (int) e.getValue();
                s[t] = s[t] - p.presencePenalty();
            }
        }

        if (p.isGreedy()) {
            double[] oneHot = new double[vocabSize];
            int best = 0;
            for (int i = 1; i < vocabSize; i++) if (s[i] > s[best]) best = i;
            oneHot[best] = 1;
            return oneHot;
        }

        // TemperatureLogitsWarper
        for (int i = 0; i < vocabSize; i++) s[i] = s[i] / p.temperature();

        // TopKLogitsWarper: remove scores < the k-th largest.
        if (p.topK() > 0) {
            float[] sorted = s.clone();
            Arrays.sort(sorted);
            float kth = sorted[vocabSize - Math.min(p.topK(), vocabSize)];
            for (int i = 0; i < vocabSize; i++) if (s[i] < kth) s[i] = Float.NEGATIVE_INFINITY;
        }

        // TopPLogitsWarper: ascending sort, cumulative softmax, remove cum <= 1 - top_p, keep the last one.
        if (p.topP() < 1f) {
            double[] probs = softmax(s);
            final float[] scores = s;
            Integer[] ascending = IntStream.range(0, vocabSize).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> scores[i])
                            .thenComparing(Comparator.<Integer>reverseOrder()))
                    .toArray(Integer[]::new);
            double cumulative = 0;
            for (int rank = 0; rank < vocabSize - 1; rank++) {
                int token = ascending[rank];
                cumulative += probs[token];
                if (cumulative <= 1.0 - p.topP()) s[token] = Float.NEGATIVE_INFINITY;
            }
        }

        // MinPLogitsWarper: remove probs < min_p * max prob.
        if (p.minP() > 0f) {
            double[] probs = softmax(s);
            double max = Arrays.stream(probs).max().orElseThrow();
            for (int i = 0; i < vocabSize; i++) if (probs[i] < p.minP() * max) s[i] = Float.NEGATIVE_INFINITY;
        }
        return softmax(s);
    }

    static double[] softmax(float[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : s) max = Math.max(max, v);
        double[] out = new double[s.length];
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            out[i] = Math.exp(s[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < s.length; i++) out[i] /= sum;
        return out;
    }
}
