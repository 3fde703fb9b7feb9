package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Guards against accidental quadratic behaviour or a slow loader. Bounds are loose (this runs on a shared
 * 2-core machine); the measured numbers are printed for reference.
 */
class TokenizerSpeedTest {

    @Test
    void loadsTheFullQwen3VocabularyQuickly() {
        // The first load pays for class loading and JIT warm-up; report the best of a few as well.
        long first = 0;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            Tokenizer tokenizer = Tokenizer.fromModelDir(Fixtures.modelDir());
            long elapsed = System.nanoTime() - start;
            assertThat(tokenizer.vocabSize()).isEqualTo(151_669);
            if (i == 0) {
                first = elapsed;
            }
            best = Math.min(best, elapsed);
        }
        System.out.printf("tokenizer load: first %.0f ms, best %.0f ms%n", first / 1e6, best / 1e6);
        assertThat(first / 1e6).isLessThan(3_000);
    }

    @Test
    void encodesTenThousandTokensInMilliseconds() {
        Tokenizer tokenizer = Fixtures.qwen3();
        String document = mixedDocument(tokenizer, 10_000);
        long start = System.nanoTime();
        int[] ids = tokenizer.encode(document);
        long firstNanos = System.nanoTime() - start;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            start = System.nanoTime();
            tokenizer.encode(document);
            best = Math.min(best, System.nanoTime() - start);
        }
        start = System.nanoTime();
        String decoded = tokenizer.decode(ids);
        long decodeNanos = System.nanoTime() - start;
        System.out.printf("encode %d chars -> %d tokens: first %.1f ms, best %.1f ms; decode %.1f ms%n",
                document.length(), ids.length, firstNanos / 1e6, best / 1e6, decodeNanos / 1e6);
        assertThat(decoded).isEqualTo(java.text.Normalizer.normalize(document, java.text.Normalizer.Form.NFC));
        assertThat(best / 1e6).isLessThan(250);
    }

    @Test
    void longPiecesWithoutSeparatorsStayFast() {
        // One 100k-character "word": the merge queue must keep this near-linear.
        Tokenizer tokenizer = Fixtures.qwen3();
        StringBuilder word = new StringBuilder();
        Random random = new Random(7);
        while (word.length() < 100_000) {
            word.append((char) ('a' + random.nextInt(26)));
        }
        long start = System.nanoTime();
        int[] ids = tokenizer.encode(word.toString());
        long elapsed = System.nanoTime() - start;
        System.out.printf("encode one 100k-letter word -> %d tokens: %.1f ms%n", ids.length, elapsed / 1e6);
        assertThat(tokenizer.decode(ids)).isEqualTo(word.toString());
        assertThat(elapsed / 1e6).isLessThan(5_000);
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
