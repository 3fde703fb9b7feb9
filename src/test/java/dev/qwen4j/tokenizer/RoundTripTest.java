package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** decode(encode(text)) gives back the text (NFC-normalized, as Qwen3's normalizer makes it). */
class RoundTripTest {

    @Test
    void randomUnicodeSurvivesEncodeAndDecode() {
        Tokenizer tokenizer = Fixtures.qwen3();
        Random random = new Random(2024);
        for (int trial = 0; trial < 3_000; trial++) {
            String text = RandomText.next(random, 1 + random.nextInt(40));
            int[] ids = tokenizer.encode(text);
            assertThat(tokenizer.decode(ids)).as("round trip of %s", escape(text))
                    .isEqualTo(Normalizer.normalize(text, Normalizer.Form.NFC));
        }
    }

    @Test
    void everyIdTheEncoderProducesIsDefined() {
        Tokenizer tokenizer = Fixtures.qwen3();
        Random random = new Random(99);
        for (int trial = 0; trial < 500; trial++) {
            for (int id : tokenizer.encode(RandomText.next(random, 30))) {
                assertThat(id).isBetween(0, tokenizer.vocabSize() - 1);
                assertThat(tokenizer.token(id)).isNotNull();
            }
        }
    }

    @Test
    void combiningSequencesAreComposedBeforeEncoding() {
        Tokenizer tokenizer = Fixtures.qwen3();
        assertThat(tokenizer.encode("cafe\u0301")).containsExactly(tokenizer.encode("café"));
    }

    @Test
    void addedTokensInsideTextAreMatchedLiterallyAndNothingElseIs() {
        Tokenizer tokenizer = Fixtures.qwen3();
        int imStart = tokenizer.id("<|im_start|>").getAsInt();
        int think = tokenizer.id("<think>").getAsInt();
        int[] ids = tokenizer.encode("a<|im_start|><think>b");
        assertThat(ids).containsExactly(tokenizer.encode("a")[0], imStart, think, tokenizer.encode("b")[0]);
        // A near miss is ordinary text.
        assertThat(tokenizer.encode("<|im_star|>")).doesNotContain(imStart);
        assertThat(tokenizer.decode(tokenizer.encode("<|im_star|>"))).isEqualTo("<|im_star|>");
    }

    @Test
    void skippingSpecialTokensKeepsNonSpecialAddedTokens() {
        Tokenizer tokenizer = Fixtures.qwen3();
        int[] ids = tokenizer.encode("<|im_start|>assistant\n<think>\nhmm\n</think>\n\nHi<|im_end|>");
        assertThat(tokenizer.decode(ids, true)).isEqualTo("assistant\n<think>\nhmm\n</think>\n\nHi");
        assertThat(tokenizer.decode(ids, false)).isEqualTo("<|im_start|>assistant\n<think>\nhmm\n</think>\n\nHi<|im_end|>");
        assertThat(tokenizer.isSpecial(tokenizer.id("<|im_end|>").getAsInt())).isTrue();
        assertThat(tokenizer.isSpecial(tokenizer.id("<think>").getAsInt())).isFalse();
        assertThat(tokenizer.isSpecial(tokenizer.id("Hello").getAsInt())).isFalse();
    }

    @Test
    void unknownIdsDecodeToNothing() {
        Tokenizer tokenizer = Fixtures.qwen3();
        int hello = tokenizer.id("Hello").getAsInt();
        assertThat(tokenizer.decode(new int[] {hello, 151_900, -1, hello})).isEqualTo("HelloHello");
    }

    @Test
    void tokenStringsAreInByteLevelForm() {
        Tokenizer tokenizer = Fixtures.qwen3();
        int[] ids = tokenizer.encode(" world");
        assertThat(ids).hasSize(1);
        assertThat(tokenizer.token(ids[0])).isEqualTo("Ġworld");
        assertThat(tokenizer.id("Ġworld")).hasValue(ids[0]);
        assertThat(tokenizer.id("no such token")).isEmpty();
        assertThat(tokenizer.encode("\n")).containsExactly(198);
    }

    @Test
    void emptyTextHasNoTokens() {
        assertThat(Fixtures.qwen3().encode("")).isEmpty();
        assertThat(Fixtures.qwen3().decode(new int[0])).isEmpty();
    }

    private static String escape(String text) {
        StringBuilder escaped = new StringBuilder();
        text.codePoints().forEach(cp -> escaped.append(cp >= 0x20 && cp < 0x7F ? Character.toString(cp)
                : String.format("\\u{%X}", cp)));
        return escaped.toString();
    }
}
