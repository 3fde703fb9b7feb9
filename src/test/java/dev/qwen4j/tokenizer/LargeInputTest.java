package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Large inputs encode and decode exactly. How fast they do is measured by
 * {@link TokenizerBenchmark}, not here: timings on a shared machine make flaky tests.
 */
class LargeInputTest {

    @Test
    void tenThousandTokenDocumentRoundTrips() {
        Tokenizer tokenizer = Fixtures.qwen3();
        String document = mixedDocument(tokenizer, 10_000);
        int[] ids = tokenizer.encode(document);
        assertThat(ids.length).isGreaterThanOrEqualTo(10_000);
        assertThat(tokenizer.decode(ids)).isEqualTo(java.text.Normalizer.normalize(document, java.text.Normalizer.Form.NFC));
    }

    @Test
    void oneHundredThousandLetterWordRoundTrips() {
        // One word with no separators: the merge queue must handle it (a quadratic merge loop would not finish).
        StringBuilder word = new StringBuilder();
        Random random = new Random(7);
        while (word.length() < 100_000) {
            word.append((char) ('a' + random.nextInt(26)));
        }
        Tokenizer tokenizer = Fixtures.qwen3();
        int[] ids = tokenizer.encode(word.toString());
        assertThat(ids.length).isBetween(10_000, 100_000);
        assertThat(tokenizer.decode(ids)).isEqualTo(word.toString());
    }

    /** Golden texts and chat renderings shuffled together until the document has about {@code tokens} tokens. */
    static String mixedDocument(Tokenizer tokenizer, int tokens) {
        JsonNode cases = Fixtures.cases();
        java.util.List<String> parts = new java.util.ArrayList<>();
        cases.get("cases").forEach(c -> parts.add(c.get("text").asText()));
        cases.get("chat_templates").forEach(c -> parts.add(c.get("rendered").asText()));
        Random random = new Random(42);
        StringBuilder document = new StringBuilder();
        int count = 0;
        while (count < tokens) {
            String part = parts.get(random.nextInt(parts.size())) + " " + random.nextInt(1_000_000) + "\n";
            document.append(part);
            count += tokenizer.encode(part).length;
        }
        return document.toString();
    }
}
