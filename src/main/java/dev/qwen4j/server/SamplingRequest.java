package dev.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qwen4j.runtime.sampling.LogitBias;
import dev.qwen4j.runtime.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sampling fields shared by /v1/chat/completions and /v1/completions, mapped onto {@link SamplingParams}.
 * Fields the client leaves out take the model's generation_config.json values (as vLLM does), so a Qwen3
 * model samples with its recommended temperature/top-p/top-k unless told otherwise.
 */
final class SamplingRequest {
    private SamplingRequest() {}

    /**
     * @param defaultMaxTokens max tokens when the request names none
     * @param maxModelLen      prompt + output limit, to reject an explicit max_tokens that cannot fit
     * @param vocabSize        token ids the tokenizer knows, the range logit_bias keys must fall in
     */
    static SamplingParams read(Fields f, SamplingParams defaults, int promptTokens, int defaultMaxTokens, int maxModelLen,
            int vocabSize) {
        rejectUnsupported(f);
        SamplingParams p = defaults;
        Long maxTokens = f.integer("max_completion_tokens", 1, Integer.MAX_VALUE);
        String maxName = "max_completion_tokens";
        if (maxTokens == null) {
            maxTokens = f.integer("max_tokens", 1, Integer.MAX_VALUE);
            maxName = "max_tokens";
        }
        if (maxTokens != null && promptTokens + maxTokens > maxModelLen) {
            throw ApiException.invalid(maxName, "This model's maximum context length is " + maxModelLen + " tokens. However, you requested "
                    + (promptTokens + maxTokens) + " tokens (" + promptTokens + " in the prompt, " + maxTokens + " in the completion).");
        }
        p = p.withMaxTokens((int) (maxTokens != null ? maxTokens : Math.max(1, Math.min(defaultMaxTokens, maxModelLen - promptTokens))));
        Double v;
        if ((v = f.number("temperature", 0, 2)) != null) p = p.withTemperature(v.floatValue());
        if ((v = f.number("top_p", Double.MIN_VALUE, 1)) != null) p = p.withTopP(v.floatValue());
        Long k = f.integer("top_k", -1, Integer.MAX_VALUE);
        if (k != null) p = p.withTopK(k <= 0 ? 0 : k.intValue()); // vLLM: -1 (or 0) turns top-k off
        if ((v = f.number("min_p", 0, 1)) != null) p = p.withMinP(v.floatValue());
        if ((v = f.number("presence_penalty", -2, 2)) != null) p = p.withPresencePenalty(v.floatValue());
        if ((v = f.number("frequency_penalty", -2, 2)) != null) p = p.withFrequencyPenalty(v.floatValue());
        if ((v = f.number("repetition_penalty", Double.MIN_VALUE, 100)) != null) p = p.withRepetitionPenalty(v.floatValue());
        // Without a seed each request draws a fresh one, as OpenAI does; generation_config has none.
        Long seed = f.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE);
        p = p.withSeed(seed != null ? seed & Long.MAX_VALUE : SamplingParams.RANDOM_SEED);
        p = p.withStop(stops(f));
        Boolean ignoreEos = f.bool("ignore_eos");
        if (ignoreEos != null) p = p.withIgnoreEos(ignoreEos);
        p = p.withLogitBias(logitBias(f.get("logit_bias"), vocabSize));
        return p;
    }

    /** {"token id": bias, ...} with ids as strings (JSON object keys), as OpenAI sends them. */
    private static LogitBias logitBias(JsonNode n, int vocabSize) {
        if (n == null || n.isNull()) return LogitBias.NONE;
        if (!n.isObject()) throw ApiException.invalid("logit_bias", "'logit_bias' must be an object mapping token ids to numbers");
        Map<Integer, Float> biases = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey().trim());
            } catch (NumberFormatException ex) {
                throw ApiException.invalid("logit_bias", "logit_bias key '" + e.getKey() + "' is not a token id");
            }
            if (id < 0 || id >= vocabSize) {
                throw ApiException.invalid("logit_bias", "logit_bias token id " + id + " is outside this model's vocabulary [0, " + vocabSize + ")");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || !(Math.abs(v.asDouble()) <= LogitBias.MAX_ABS_BIAS)) {
                throw ApiException.invalid("logit_bias", "logit_bias value for token " + id + " must be a number in [-100, 100]");
            }
            biases.put(id, (float) v.asDouble());
        }
        return LogitBias.of(biases);
    }

    private static List<String> stops(Fields f) {
        JsonNode n = f.get("stop");
        List<String> out = new ArrayList<>();
        if (n == null) return out;
        if (n.isTextual()) {
            if (!n.asText().isEmpty()) out.add(n.asText());
            return out;
        }
        if (!n.isArray()) throw ApiException.invalid("stop", "'stop' must be a string or an array of strings");
        for (JsonNode s : n) {
            if (!s.isTextual()) throw ApiException.invalid("stop", "'stop' must be a string or an array of strings");
            if (!s.asText().isEmpty()) out.add(s.asText());
        }
        return out;
    }

    private static void rejectUnsupported(Fields f) {
        Long bestOf = f.integer("best_of", 1, Integer.MAX_VALUE);
        if (bestOf != null && bestOf != 1) throw ApiException.unsupported("best_of", "best_of > 1 is not supported");
    }
}
