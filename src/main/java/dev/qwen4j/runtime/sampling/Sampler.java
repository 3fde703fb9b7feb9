package dev.qwen4j.runtime.sampling;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence from the model's logits. One instance per sequence: it owns the RNG and the
 * token history the penalties need.
 *
 * <p>Processing order is Hugging Face's, after the logit bias (added to the raw logits first, as vLLM does): repetition penalty, then (vLLM/OpenAI) frequency and presence penalties,
 * then temperature, top-k, top-p, min-p, softmax and a draw from a {@link SplittableRandom} seeded from
 * {@link SamplingParams#seed()}, so a given seed and logits reproduce the same tokens. Greedy decoding takes the
 * argmax after the penalties (ties go to the lowest id, as {@code torch.argmax}).
 *
 * <p>Cost per token is a few linear passes over the vocabulary: top-k uses a bounded heap, and top-p without top-k
 * sorts only the tokens of one histogram bucket ({@link NucleusPrefilter}). After the first calls, sampling
 * allocates nothing.
 *
 * <p>Not thread-safe; {@link #sample} and {@link #probabilities} modify the logits they are given.
 */
public final class Sampler {
    /** Loose margin (relative to the top logit) for the min-p prefilter, so rounding never drops a token early. */
    private static final double MIN_P_PREFILTER_SLACK = 1e-4;

    private final SamplingParams params;
    private final int vocabSize;
    private final TokenPenalties penalties;
    private final SplittableRandom random;
    private final int[] eosTokenIds;
    private final TopKThreshold topKThreshold = new TopKThreshold();
    private final NucleusPrefilter nucleusPrefilter = new NucleusPrefilter();
    private final Candidates candidates = new Candidates();

    private int maskFrom;
    private int generatedCount;
    /** Set by {@link #filter}: the surviving weights lie in the logits array itself rather than in candidates. */
    private boolean weightsInLogits;

    /**
     * @param vocabSize    rows of the logits that are tokens (padding rows above can be masked by
     *                     {@link #setMaskFrom})
     * @param promptTokens the prompt, which the repetition penalty also applies to
     */
    public Sampler(SamplingParams params, int vocabSize, int[] promptTokens) {
        this.params = Objects.requireNonNull(params, "params");
        Objects.requireNonNull(promptTokens, "promptTokens");
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1 but was " + vocabSize);
        }
        this.vocabSize = vocabSize;
        this.maskFrom = vocabSize;
        this.penalties = new TokenPenalties(params, vocabSize);
        penalties.recordPrompt(promptTokens);
        this.random = params.hasRandomSeed() ? new SplittableRandom() : new SplittableRandom(params.seed());
        this.eosTokenIds = params.eosTokenIds().stream().mapToInt(Integer::intValue).toArray();
    }

    public SamplingParams params() {
        return params;
    }

    /** Tokens recorded with {@link #accept} so far. */
    public int generatedCount() {
        return generatedCount;
    }

    /**
     * Ids at or above {@code firstInvalidId} are never sampled and their logits are ignored (Qwen3: embedding rows
     * 151669..151935 are padding, not tokens).
     */
    public void setMaskFrom(int firstInvalidId) {
        if (firstInvalidId < 1 || firstInvalidId > vocabSize) {
            throw new IllegalArgumentException(
                    "firstInvalidId must be in [1, " + vocabSize + "] but was " + firstInvalidId);
        }
        maskFrom = firstInvalidId;
    }

    /**
     * Draws the next token.
     *
     * @param logits at least {@code vocabSize} raw logits (extra entries are ignored); modified in place
     * @throws IllegalArgumentException if a logit is NaN (or +Infinity when sampling), or the array is too short
     * @throws IllegalStateException    if every unmasked logit is -Infinity
     */
    public int sample(float[] logits) {
        int limit = applyPenalties(logits);
        if (params.isGreedy()) {
            return indexOfMaximum(logits, limit);
        }
        double totalWeight = filter(logits, limit);
        double point = random.nextDouble() * totalWeight;
        return weightsInLogits ? pickFromLogits(logits, limit, point) : candidates.pick(point);
    }

    /**
     * The exact distribution {@link #sample} would draw from, for log-probabilities and diagnostics: writes the
     * probability of each token to {@code probabilities[0 .. vocabSize)} (one-hot on the argmax when greedy). Does not
     * consume randomness.
     *
     * @param logits as for {@link #sample}; modified in place
     */
    public void probabilities(float[] logits, double[] probabilities) {
        if (probabilities.length < vocabSize) {
            throw new IllegalArgumentException("probabilities has length " + probabilities.length
                    + ", needs at least vocabSize " + vocabSize);
        }
        int limit = applyPenalties(logits);
        Arrays.fill(probabilities, 0, vocabSize, 0.0);
        if (params.isGreedy()) {
            probabilities[indexOfMaximum(logits, limit)] = 1.0;
            return;
        }
        double totalWeight = filter(logits, limit);
        if (weightsInLogits) {
            for (int i = 0; i < limit; i++) {
                probabilities[i] = logits[i] / totalWeight;
            }
        } else {
            for (int i = 0, n = candidates.size(); i < n; i++) {
                probabilities[candidates.id(i)] = candidates.weight(i) / totalWeight;
            }
        }
    }

    /** Records a generated token, for the penalties of the following steps. */
    public void accept(int token) {
        penalties.recordOutput(token);
        generatedCount++;
    }

    /** True if {@code token} ends the sequence: one of the EOS ids, unless {@code ignoreEos}. */
    public boolean isEndOfSequence(int token) {
        if (params.ignoreEos()) {
            return false;
        }
        for (int eos : eosTokenIds) {
            if (eos == token) {
                return true;
            }
        }
        return false;
    }

    /** Checks the array, applies the penalties and returns the number of leading logits that are candidates. */
    private int applyPenalties(float[] logits) {
        if (logits.length < vocabSize) {
            throw new IllegalArgumentException(
                    "logits has length " + logits.length + ", needs at least vocabSize " + vocabSize);
        }
        int limit = maskFrom;
        params.logitBias().apply(logits, limit);
        penalties.apply(logits, limit);
        return limit;
    }

    /**
     * Temperature, top-k, top-p and min-p. Leaves the survivors either in {@link #candidates} or, when no filter is
     * on, as weights written over the logits ({@link #weightsInLogits}); returns the survivors' total weight.
     */
    private double filter(float[] logits, int limit) {
        float maxScore = logits[indexOfMaximum(logits, limit)];
        if (maxScore == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("logits must not be +Infinity when sampling (token "
                    + indexOfMaximum(logits, limit) + ")");
        }
        float temperature = params.temperature();
        if (temperature != 1f) {
            // Divide in float like HF, so top-k ties and boundaries fall exactly where they do there.
            for (int i = 0; i < limit; i++) {
                logits[i] /= temperature;
            }
            maxScore /= temperature; // division by a positive number preserves which logit is largest
        }
        int topK = params.topK();
        boolean useTopK = topK > 0 && topK < limit;
        float topP = params.topP();
        boolean useTopP = topP < 1f;
        float minP = params.minP();
        if (!useTopK && !useTopP && minP == 0f) {
            weightsInLogits = true;
            return exponentiateInPlace(logits, limit, maxScore);
        }
        weightsInLogits = false;
        candidates.clear();
        if (useTopK) {
            candidates.addAtLeast(logits, limit, topKThreshold.kthLargest(logits, limit, topK));
            if (useTopP) {
                candidates.sortByScoreDescending(logits, 0);
                // After top-k the distribution is renormalized over the k survivors, as in HF.
                candidates.keepNucleus(0, topP * candidates.computeWeights(logits, maxScore));
            } else {
                candidates.computeWeights(logits, maxScore);
            }
        } else if (useTopP) {
            double totalWeight = nucleusPrefilter.analyze(logits, limit, maxScore, topP);
            int boundaryStart = nucleusPrefilter.collectCandidates(logits, limit, maxScore, candidates);
            candidates.sortByScoreDescending(logits, boundaryStart);
            candidates.computeWeights(logits, maxScore);
            candidates.keepNucleus(boundaryStart, topP * totalWeight);
        } else {
            // Min-p alone: a score-space prefilter that is slightly loose; dropBelow below makes the exact cut.
            double slack = MIN_P_PREFILTER_SLACK * (1.0 + Math.abs(maxScore));
            candidates.addAtLeast(logits, limit, (float) (maxScore + Math.log(minP) - slack));
            candidates.computeWeights(logits, maxScore);
        }
        if (minP > 0f) {
            // Weights are relative to the top token (weight 1), so p / p_max < minP is weight < minP.
            candidates.dropBelow(minP);
        }
        return candidates.totalWeight();
    }

    /** Replaces {@code scores[0 .. limit)} with {@code exp(score - maxScore)}; returns their sum. */
    private static double exponentiateInPlace(float[] scores, int limit, float maxScore) {
        double total = 0.0;
        for (int i = 0; i < limit; i++) {
            float weight = (float) Math.exp((double) scores[i] - maxScore);
            scores[i] = weight;
            total += weight;
        }
        return total;
    }

    private static int pickFromLogits(float[] weights, int limit, double point) {
        double cumulative = 0.0;
        int lastWeighted = -1;
        for (int i = 0; i < limit; i++) {
            float weight = weights[i];
            if (weight > 0f) {
                cumulative += weight;
                lastWeighted = i;
                if (point < cumulative) {
                    return i;
                }
            }
        }
        return lastWeighted; // rounding left point a hair above the sum
    }

    /** Argmax of {@code logits[0 .. limit)}, lowest id on ties; rejects NaN and all -Infinity. */
    private static int indexOfMaximum(float[] logits, int limit) {
        int best = -1;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < limit; i++) {
            float value = logits[i];
            if (value > bestValue) {
                bestValue = value;
                best = i;
            } else if (value != value) {
                throw new IllegalArgumentException("logit of token " + i + " is NaN");
            }
        }
        if (best < 0) {
            throw new IllegalStateException("no token can be sampled: every logit is -Infinity");
        }
        return best;
    }
}
