package dev.qwen4j.runtime.sampling;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Turns a Hugging Face {@code generation_config.json} into {@link SamplingParams}, with HF's defaults. */
final class GenerationConfigReader {

    // Hugging Face GenerationConfig defaults for keys the file leaves out.
    private static final float HF_DEFAULT_TEMPERATURE = 1f;
    private static final int HF_DEFAULT_TOP_K = 50;
    private static final float HF_DEFAULT_TOP_P = 1f;

    private static final ObjectMapper JSON = new ObjectMapper();

    private GenerationConfigReader() {}

    static SamplingParams read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            // Models without the file generate greedily in HF too.
            return SamplingParams.greedy();
        } catch (JacksonException e) {
            throw new UncheckedIOException("Malformed JSON in generation config " + file + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read generation config " + file + ": " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new UncheckedIOException(new IOException(
                    "Generation config " + file + " must hold a JSON object"));
        }
        return new Fields(file, root).toSamplingParams();
    }

    /** Typed access to the keys of one file, each failure naming the file and the key. */
    private record Fields(Path file, JsonNode root) {

        SamplingParams toSamplingParams() {
            boolean doSample = bool("do_sample", false);
            // do_sample=false is greedy whatever the temperature says; the other warpers stay recorded but inert,
            // so that withTemperature(...) later turns on the model's recommended sampling settings.
            float temperature = doSample ? number("temperature", HF_DEFAULT_TEMPERATURE) : 0f;
            int topK = integer("top_k", HF_DEFAULT_TOP_K, 0);
            float topP = number("top_p", HF_DEFAULT_TOP_P);
            float minP = number("min_p", 0f);
            float repetitionPenalty = number("repetition_penalty", 1f);
            int maxTokens = integer("max_new_tokens", SamplingParams.DEFAULT_MAX_TOKENS,
                    SamplingParams.DEFAULT_MAX_TOKENS);
            Set<Integer> eosTokenIds = eosTokenIds();
            try {
                return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, 0f, 0f,
                        SamplingParams.RANDOM_SEED, maxTokens, List.of(), eosTokenIds, false);
            } catch (IllegalArgumentException e) {
                // Range errors name SamplingParams fields; add the file so the user knows what to fix.
                throw new IllegalArgumentException("Generation config " + file + ": " + e.getMessage(), e);
            }
        }

        private boolean bool(String key, boolean absent) {
            JsonNode node = root.get(key);
            if (node == null || node.isNull()) {
                return absent;
            }
            if (!node.isBoolean()) {
                throw wrongType(key, "a boolean", node);
            }
            return node.booleanValue();
        }

        private float number(String key, float absent) {
            JsonNode node = root.get(key);
            if (node == null || node.isNull()) {
                return absent;
            }
            if (!node.isNumber()) {
                throw wrongType(key, "a number", node);
            }
            return node.floatValue();
        }

        /** {@code whenNull} differs from {@code absent} for top_k, where an explicit null switches it off. */
        private int integer(String key, int absent, int whenNull) {
            JsonNode node = root.get(key);
            if (node == null) {
                return absent;
            }
            if (node.isNull()) {
                return whenNull;
            }
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw wrongType(key, "an integer", node);
            }
            return node.intValue();
        }

        private Set<Integer> eosTokenIds() {
            JsonNode node = root.get("eos_token_id");
            if (node == null || node.isNull()) {
                return Set.of();
            }
            if (node.isArray()) {
                Set<Integer> ids = new LinkedHashSet<>();
                for (JsonNode element : node) {
                    ids.add(tokenId(element, node));
                }
                return ids;
            }
            return Set.of(tokenId(node, node));
        }

        private int tokenId(JsonNode element, JsonNode whole) {
            if (!element.isIntegralNumber() || !element.canConvertToInt() || element.intValue() < 0) {
                throw wrongType("eos_token_id", "a token id >= 0 or a list of them", whole);
            }
            return element.intValue();
        }

        private IllegalArgumentException wrongType(String key, String expectation, JsonNode found) {
            return new IllegalArgumentException(
                    "Generation config " + file + ": \"" + key + "\" must be " + expectation + " but was " + found);
        }
    }
}
