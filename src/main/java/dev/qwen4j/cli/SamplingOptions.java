package dev.qwen4j.cli;

import dev.qwen4j.runtime.sampling.LogitBias;
import dev.qwen4j.runtime.sampling.SamplingParams;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Sampling flags; anything not given falls back to the model's generation_config.json. */
public final class SamplingOptions {
    @Option(names = "--max-tokens", paramLabel = "N", description = "Most tokens to generate (default 512).")
    Integer maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "0 = greedy.")
    Float temperature;

    @Option(names = "--top-k", paramLabel = "K")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P")
    Float topP;

    @Option(names = "--min-p", paramLabel = "P")
    Float minP;

    @Option(names = "--repetition-penalty", paramLabel = "R")
    Float repetitionPenalty;

    @Option(names = "--presence-penalty", paramLabel = "P")
    Float presencePenalty;

    @Option(names = "--frequency-penalty", paramLabel = "P")
    Float frequencyPenalty;

    @Option(names = "--seed", paramLabel = "N")
    Long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop string (repeatable).")
    List<String> stop;

    @Option(names = "--ignore-eos", description = "Keep generating past end-of-sequence tokens.")
    boolean ignoreEos;

    @Option(names = "--logit-bias", paramLabel = "ID=BIAS",
            description = "Add BIAS (-100..100) to token ID's logit before sampling; -100 bans, 100 forces (repeatable).")
    Map<Integer, Float> logitBias;

    public SamplingParams apply(SamplingParams defaults) {
        try {
            SamplingParams p = defaults.withMaxTokens(maxTokens != null ? maxTokens : 512);
            if (temperature != null) p = p.withTemperature(temperature);
            if (topK != null) p = p.withTopK(topK);
            if (topP != null) p = p.withTopP(topP);
            if (minP != null) p = p.withMinP(minP);
            if (repetitionPenalty != null) p = p.withRepetitionPenalty(repetitionPenalty);
            if (presencePenalty != null) p = p.withPresencePenalty(presencePenalty);
            if (frequencyPenalty != null) p = p.withFrequencyPenalty(frequencyPenalty);
            if (seed != null) p = p.withSeed(seed);
            if (stop != null) p = p.withStop(stop);
            if (ignoreEos) p = p.withIgnoreEos(true);
            if (logitBias != null) p = p.withLogitBias(LogitBias.of(logitBias));
            p.validate();
            return p;
        } catch (IllegalArgumentException e) {
            // The parameters name the offending field; as a command-line problem it is a usage error.
            throw new UsageError(e.getMessage());
        }
    }
}
