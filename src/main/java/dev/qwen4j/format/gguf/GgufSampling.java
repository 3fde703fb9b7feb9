package dev.qwen4j.format.gguf;

import dev.qwen4j.runtime.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model's recommended sampling settings as GGUF carries them ({@code general.sampling.*}, the keys
 * llama.cpp reads as its defaults), to and from a Hugging Face {@code generation_config.json}. A GGUF file
 * then samples the way its source folder does (Qwen3: temperature 0.6, top-k 20, top-p 0.95; greedy decoding
 * makes thinking models repeat themselves).
 */
public final class GgufSampling {
    private GgufSampling() {}

    static final String TEMPERATURE = "general.sampling.temp";
    static final String TOP_K = "general.sampling.top_k";
    static final String TOP_P = "general.sampling.top_p";
    static final String MIN_P = "general.sampling.min_p";
    static final String REPETITION_PENALTY = "general.sampling.penalty_repeat";

    /**
     * The keys for a folder's generation_config.json: none when it has no file or decodes greedily
     * ({@code do_sample} false), which is also what a reader assumes without keys.
     */
    public static Map<String, GgufValue> fromGenerationConfig(Path generationConfigJson) {
        SamplingParams p = SamplingParams.fromGenerationConfig(generationConfigJson);
        Map<String, GgufValue> out = new LinkedHashMap<>();
        if (p.isGreedy()) return out;
        out.put(TEMPERATURE, GgufValue.float32(p.temperature()));
        out.put(TOP_K, GgufValue.int32(p.topK()));
        out.put(TOP_P, GgufValue.float32(p.topP()));
        if (p.minP() > 0) out.put(MIN_P, GgufValue.float32(p.minP()));
        if (p.repetitionPenalty() != 1f) out.put(REPETITION_PENALTY, GgufValue.float32(p.repetitionPenalty()));
        return out;
    }

    /** Greedy decoding unless the file recommends sampling settings. */
    public static SamplingParams read(GgufMetadata m) {
        SamplingParams p = SamplingParams.greedy();
        try {
            if (m.has(TOP_K)) p = p.withTopK(m.requireInt(TOP_K));
            if (m.has(TOP_P)) p = p.withTopP((float) m.requireDouble(TOP_P));
            if (m.has(MIN_P)) p = p.withMinP((float) m.requireDouble(MIN_P));
            if (m.has(REPETITION_PENALTY)) p = p.withRepetitionPenalty((float) m.requireDouble(REPETITION_PENALTY));
            if (m.has(TEMPERATURE)) p = p.withTemperature((float) m.requireDouble(TEMPERATURE));
        } catch (IllegalArgumentException e) {
            throw m.error("general.sampling.*", "holds an invalid setting: " + e.getMessage());
        }
        return p;
    }
}
