package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The real Qwen3 tokenizer against ids and texts produced by the reference implementation. */
class GoldenTokenizerTest {

    static Stream<Arguments> textCases() {
        JsonNode cases = Fixtures.cases().get("cases");
        return IntStream.range(0, cases.size()).mapToObj(i -> Arguments.of(i, cases.get(i)));
    }

    static Stream<Arguments> chatTemplateCases() {
        JsonNode cases = Fixtures.cases().get("chat_templates");
        return IntStream.range(0, cases.size()).mapToObj(i -> Arguments.of(
                cases.get(i).get("template").asText() + "/" + cases.get(i).get("name").asText(), cases.get(i)));
    }

    @Test
    void fixturesHaveTheExpectedNumberOfCases() {
        assertThat(Fixtures.cases().get("cases").size()).isEqualTo(44);
        assertThat(Fixtures.cases().get("chat_templates").size()).isEqualTo(16);
    }

    @ParameterizedTest(name = "case {0}")
    @MethodSource("textCases")
    void encodesToTheReferenceIds(int index, JsonNode testCase) {
        String text = testCase.get("text").asText();
        assertThat(Fixtures.qwen3().encode(text)).as("encode(%s)", text).containsExactly(Fixtures.ints(testCase.get("ids")));
    }

    @ParameterizedTest(name = "case {0}")
    @MethodSource("textCases")
    void decodesToTheReferenceText(int index, JsonNode testCase) {
        int[] ids = Fixtures.ints(testCase.get("ids"));
        assertThat(Fixtures.qwen3().decode(ids)).isEqualTo(testCase.get("decoded").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chatTemplateCases")
    void renderedChatTemplatesEncodeToTheReferenceIds(String name, JsonNode testCase) {
        String rendered = testCase.get("rendered").asText();
        int[] expected = Fixtures.ints(testCase.get("ids"));
        assertThat(Fixtures.qwen3().encode(rendered)).containsExactly(expected);
        assertThat(Fixtures.qwen3().decode(expected)).isEqualTo(rendered);
    }

    @Test
    void addedTokensHaveTheReferenceIdsAndFlags() {
        Tokenizer tokenizer = Fixtures.qwen3();
        JsonNode added = Fixtures.cases().get("added_tokens");
        assertThat(added.size()).isEqualTo(26);
        for (var entry : added.properties()) {
            String content = entry.getKey();
            JsonNode token = entry.getValue();
            int id = token.get("id").intValue();
            assertThat(tokenizer.token(id)).isEqualTo(content);
            assertThat(tokenizer.id(content)).hasValue(id);
            assertThat(tokenizer.isSpecial(id)).as("special flag of %s", content).isEqualTo(token.get("special").booleanValue());
            assertThat(tokenizer.encode(content)).containsExactly(id);
        }
        assertThat(tokenizer.addedTokens()).hasSize(26);
        assertThat(tokenizer.vocabSize()).isEqualTo(151_669);
        assertThat(tokenizer.eosTokenId()).hasValue(151_645);
        assertThat(tokenizer.padTokenId()).hasValue(151_643);
        assertThat(tokenizer.bosTokenId()).isEmpty();
    }
}
