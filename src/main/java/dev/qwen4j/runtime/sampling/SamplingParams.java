package dev.qwen4j.runtime.sampling;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * How one sequence picks its next tokens and when it stops.
 *
 * <p>Semantics follow Hugging Face {@code generate()} for temperature, top-k, top-p, min-p and repetition penalty,
 * and vLLM/OpenAI for presence and frequency penalties. Instances are validated on construction, so every
 * {@code SamplingParams} in circulation is usable; the withers re-validate.
 *
 * @param temperature       0 (or below {@link #GREEDY_TEMPERATURE_EPSILON}) means greedy argmax
 * @param topK              keep the k most likely tokens (ties at the k-th logit are kept, as in HF); 0 = off
 * @param topP              nucleus: keep the smallest set whose probability reaches topP; 1 = off
 * @param minP              drop tokens whose probability is below minP times the top probability; 0 = off
 * @param repetitionPenalty HF/CTRL penalty on prompt and generated tokens; 1 = off
 * @param presencePenalty   OpenAI penalty subtracted once from every token generated so far; 0 = off
 * @param frequencyPenalty  OpenAI penalty subtracted per occurrence of a generated token; 0 = off
 * @param seed              RNG seed for reproducible sampling; {@link #RANDOM_SEED} (-1) draws a fresh one
 * @param maxTokens         the most tokens to generate
 * @param stop              strings that end generation (not included in the output)
 * @param eosTokenIds       tokens that end generation
 * @param ignoreEos         keep generating past end-of-sequence tokens (benchmarks)
 * @param logitBias         added to the raw logits before everything else (OpenAI {@code logit_bias})
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repetitionPenalty,
        float presencePenalty,
        float frequencyPenalty,
        long seed,
        int maxTokens,
        List<String> stop,
        Set<Integer> eosTokenIds,
        boolean ignoreEos,
        LogitBias logitBias) {

    /** The {@link #seed} value asking for a non-reproducible, freshly drawn seed. */
    public static final long RANDOM_SEED = -1;

    /**
     * Temperatures below this sample greedily: dividing logits by them overflows float, and the limit of sampling
     * as temperature goes to 0 is argmax anyway (vLLM uses the same cut-off).
     */
    public static final float GREEDY_TEMPERATURE_EPSILON = 1e-5f;

    /**
     * Generation length when nothing else says: HF's own default ({@code max_length=20}, prompt included) is far
     * too short for chat, while Qwen3 answers with thinking routinely run to a few thousand tokens.
     */
    public static final int DEFAULT_MAX_TOKENS = 4096;

    /** OpenAI's documented range for presence and frequency penalties. */
    static final float MAX_ABS_OPENAI_PENALTY = 2f;

    public SamplingParams {
        stop = copyStops(stop);
        logitBias = java.util.Objects.requireNonNull(logitBias, "logitBias");
        eosTokenIds = copyEosTokenIds(eosTokenIds);
        check(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, maxTokens);
    }

    /** Without a logit bias. */
    public SamplingParams(float temperature, int topK, float topP, float minP, float repetitionPenalty,
            float presencePenalty, float frequencyPenalty, long seed, int maxTokens, List<String> stop,
            Set<Integer> eosTokenIds, boolean ignoreEos) {
        this(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed, maxTokens,
                stop, eosTokenIds, ignoreEos, LogitBias.NONE);
    }

    /** Argmax decoding with no penalties, no stop strings, no EOS tokens and {@link #DEFAULT_MAX_TOKENS}. */
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, RANDOM_SEED, DEFAULT_MAX_TOKENS, List.of(), Set.of(),
                false);
    }

    /**
     * Reads a Hugging Face {@code generation_config.json}: {@code do_sample} (false → greedy), {@code temperature},
     * {@code top_k}, {@code top_p}, {@code min_p}, {@code repetition_penalty}, {@code eos_token_id} (int or list) and
     * {@code max_new_tokens}. Absent keys take HF's defaults (notably {@code top_k} 50 and {@code do_sample}
     * false); a missing file gives {@link #greedy()}.
     *
     * @throws java.io.UncheckedIOException if the file cannot be read or is not JSON (the message names the file)
     * @throws IllegalArgumentException     if a key has the wrong type or an invalid value (names file and key)
     */
    public static SamplingParams fromGenerationConfig(Path generationConfigJson) {
        return GenerationConfigReader.read(generationConfigJson);
    }

    /**
     * True when the next token is simply the argmax: temperature (about) 0, or top-k 1, which leaves only the
     * argmax (plus exact ties, which argmax resolves to the lowest id).
     */
    public boolean isGreedy() {
        return temperature < GREEDY_TEMPERATURE_EPSILON || topK == 1;
    }

    /** True when the seed is {@link #RANDOM_SEED}, i.e. runs are not reproducible. */
    public boolean hasRandomSeed() {
        return seed == RANDOM_SEED;
    }

    /**
     * Re-checks the ranges (construction already did, so this only returns {@code this}); kept so callers can make
     * the validation point explicit in a fluent chain.
     *
     * @throws IllegalArgumentException naming the first field out of range and its value
     */
    public SamplingParams validate() {
        check(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, maxTokens);
        return this;
    }

    public SamplingParams withTemperature(float temperature) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withTopK(int topK) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withTopP(float topP) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withMinP(float minP) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withRepetitionPenalty(float repetitionPenalty) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withPresencePenalty(float presencePenalty) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withFrequencyPenalty(float frequencyPenalty) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withSeed(long seed) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withMaxTokens(int maxTokens) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withStop(List<String> stop) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withEosTokenIds(Set<Integer> eosTokenIds) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withLogitBias(LogitBias logitBias) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    public SamplingParams withIgnoreEos(boolean ignoreEos) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, seed, maxTokens, stop, eosTokenIds, ignoreEos, logitBias);
    }

    // Comparisons are written as !(x in range) so that NaN fails them.
    private static void check(float temperature, int topK, float topP, float minP, float repetitionPenalty,
            float presencePenalty, float frequencyPenalty, int maxTokens) {
        if (!(temperature >= 0f && temperature < Float.POSITIVE_INFINITY)) {
            throw invalid("temperature", "a finite number >= 0", temperature);
        }
        if (topK < 0) {
            throw invalid("topK", ">= 0 (0 disables top-k)", topK);
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw invalid("topP", "in (0, 1] (1 disables top-p)", topP);
        }
        if (!(minP >= 0f && minP <= 1f)) {
            throw invalid("minP", "in [0, 1] (0 disables min-p)", minP);
        }
        if (!(repetitionPenalty > 0f && repetitionPenalty < Float.POSITIVE_INFINITY)) {
            throw invalid("repetitionPenalty", "a finite number > 0 (1 disables it)", repetitionPenalty);
        }
        if (!(Math.abs(presencePenalty) <= MAX_ABS_OPENAI_PENALTY)) {
            throw invalid("presencePenalty", "in [-2, 2]", presencePenalty);
        }
        if (!(Math.abs(frequencyPenalty) <= MAX_ABS_OPENAI_PENALTY)) {
            throw invalid("frequencyPenalty", "in [-2, 2]", frequencyPenalty);
        }
        if (maxTokens < 1) {
            throw invalid("maxTokens", ">= 1", maxTokens);
        }
    }

    private static IllegalArgumentException invalid(String field, String expectation, Object value) {
        return new IllegalArgumentException(field + " must be " + expectation + " but was " + value);
    }

    private static List<String> copyStops(List<String> stop) {
        if (stop == null) {
            return List.of();
        }
        for (String s : stop) {
            // An empty stop string would match before any text and end every generation at once.
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("stop must not contain null or empty strings but was " + stop);
            }
        }
        return List.copyOf(stop);
    }

    private static Set<Integer> copyEosTokenIds(Set<Integer> eosTokenIds) {
        if (eosTokenIds == null) {
            return Set.of();
        }
        for (Integer id : eosTokenIds) {
            if (id == null || id < 0) {
                throw new IllegalArgumentException(
                        "eosTokenIds must hold non-null ids >= 0 but was " + eosTokenIds);
            }
        }
        return Set.copyOf(eosTokenIds);
    }
}
