package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compares with the Rust Hugging Face {@code tokenizers} library itself (through DJL's bundled native build) on
 * thousands of random texts and id sequences: the golden cases were produced by a JavaScript port, so this is the
 * check against the implementation that transformers actually runs.
 */
class HuggingFaceOracleTest {
    private static HuggingFaceTokenizer rust;
    private static String unavailable;

    @BeforeAll
    static void loadRustTokenizer() {
        // Never let DJL try to download a CUDA build of the native library.
        System.setProperty("ai.djl.offline", "true");
        try {
            rust = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(Fixtures.tokenizerJson())
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .build();
        } catch (IOException | RuntimeException | LinkageError e) {
            unavailable = e.toString();
        }
    }

    @AfterAll
    static void close() {
        if (rust != null) {
            rust.close();
        }
    }

    private static void requireOracle() {
        assumeTrue(rust != null, () -> "the native Hugging Face tokenizer could not be loaded: " + unavailable);
    }

    private static int[] rustEncode(String text) {
        return Arrays.stream(rust.encode(text).getIds()).mapToInt(Math::toIntExact).toArray();
    }

    @Test
    void randomTextsEncodeToTheSameIds() {
        requireOracle();
        Tokenizer tokenizer = Fixtures.qwen3();
        Random random = new Random(31337);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            texts.add(RandomText.next(random, 1 + random.nextInt(60)));
        }
        for (int i = 0; i < 500; i++) {
            texts.add(randomCodePoints(random, 1 + random.nextInt(40)));
        }
        texts.add(LargeInputTest.mixedDocument(tokenizer, 20_000));
        for (String text : texts) {
            assertThat(tokenizer.encode(text)).as("encode(%s)", text).containsExactly(rustEncode(text));
        }
    }

    @Test
    void randomIdSequencesDecodeToTheSameText() {
        requireOracle();
        Tokenizer tokenizer = Fixtures.qwen3();
        Random random = new Random(4242);
        for (int trial = 0; trial < 3_000; trial++) {
            int[] ids = new int[random.nextInt(20)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(4) == 0 ? 151_643 + random.nextInt(26) : random.nextInt(151_643);
            }
            long[] longIds = Arrays.stream(ids).asLongStream().toArray();
            assertThat(tokenizer.decode(ids, false)).isEqualTo(rust.decode(longIds, false));
            assertThat(tokenizer.decode(ids, true)).isEqualTo(rust.decode(longIds, true));
        }
    }

    /** Code points from every plane, controls and unassigned ones included (no surrogates: Rust has none). */
    private static String randomCodePoints(Random random, int count) {
        StringBuilder text = new StringBuilder();
        while (count > 0) {
            int codePoint = random.nextInt(3) == 0 ? random.nextInt(0x3100) : random.nextInt(0x110000);
            if (codePoint < 0xD800 || codePoint > 0xDFFF) {
                text.appendCodePoint(codePoint);
                count--;
            }
        }
        return text.toString();
    }
}
