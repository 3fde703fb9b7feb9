package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same Qwen3 tokenizer built from other sources (the older "a b" merge form, and GGUF-style lists through
 * {@link Tokenizer#fromVocab}) encodes every golden case the same way.
 */
class AlternativeSourcesTest {
    private static ObjectNode tokenizerJson;

    @BeforeAll
    static void readRealTokenizer() throws IOException {
        tokenizerJson = (ObjectNode) new ObjectMapper().readTree(Fixtures.tokenizerJson().toFile());
    }

    private static List<String> goldenTexts() {
        List<String> texts = new ArrayList<>();
        Fixtures.cases().get("cases").forEach(c -> texts.add(c.get("text").asText()));
        Fixtures.cases().get("chat_templates").forEach(c -> texts.add(c.get("rendered").asText()));
        return texts;
    }

    private static void assertEncodesLikeTheReference(Tokenizer tokenizer) {
        Tokenizer reference = Fixtures.qwen3();
        for (String text : goldenTexts()) {
            int[] ids = tokenizer.encode(text);
            assertThat(ids).as("encode(%s)", text).containsExactly(reference.encode(text));
            assertThat(tokenizer.decode(ids)).isEqualTo(reference.decode(ids));
        }
    }

    @Test
    void mergesInTheOlderSpaceSeparatedForm(@TempDir Path dir) throws IOException {
        ObjectNode copy = tokenizerJson.deepCopy();
        ArrayNode merges = (ArrayNode) copy.get("model").get("merges");
        ArrayNode asStrings = copy.arrayNode();
        for (JsonNode pair : merges) {
            asStrings.add(pair.get(0).asText() + " " + pair.get(1).asText());
        }
        ((ObjectNode) copy.get("model")).set("merges", asStrings);
        Path file = dir.resolve("tokenizer.json");
        new ObjectMapper().writeValue(file.toFile(), copy);
        assertEncodesLikeTheReference(Tokenizer.fromFile(file));
    }

    @Test
    void vocabularyListsAsStoredInGguf() {
        JsonNode model = tokenizerJson.get("model");
        String[] tokens = new String[Fixtures.qwen3().vocabSize()];
        model.get("vocab").properties().forEach(entry -> tokens[entry.getValue().intValue()] = entry.getKey());
        Map<Integer, Boolean> special = new HashMap<>();
        for (JsonNode added : tokenizerJson.get("added_tokens")) {
            tokens[added.get("id").intValue()] = added.get("content").asText();
            special.put(added.get("id").intValue(), added.get("special").booleanValue());
        }
        assertThat(tokens).doesNotContainNull();
        List<String> merges = new ArrayList<>();
        for (JsonNode pair : model.get("merges")) {
            merges.add(pair.get(0).asText() + " " + pair.get(1).asText());
        }
        Tokenizer fromVocab = Tokenizer.fromVocab(Arrays.asList(tokens), merges, special);
        assertEncodesLikeTheReference(fromVocab);
        assertThat(fromVocab.vocabSize()).isEqualTo(151_669);
        assertThat(fromVocab.isSpecial(151_645)).isTrue();
        assertThat(fromVocab.isSpecial(151_667)).isFalse();
        assertThat(fromVocab.encode("<think>")).containsExactly(151_667);
    }
}
