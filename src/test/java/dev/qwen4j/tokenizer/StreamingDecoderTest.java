package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {

    private static String stream(Tokenizer tokenizer, int[] ids, boolean skipSpecial, StringBuilder chunks) {
        StreamingDecoder decoder = tokenizer.newStreamingDecoder(skipSpecial);
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            String chunk = decoder.push(id);
            chunks.append(chunk).append('\u0000');
            text.append(chunk);
        }
        text.append(decoder.flush());
        return text.toString();
    }

    @Test
    void concatenatedChunksEqualDecodeForRandomIdSequences() {
        Tokenizer tokenizer = Fixtures.qwen3();
        Random random = new Random(5);
        // Single-byte tokens Ā..ō / ¡..ÿ are UTF-8 lead and continuation bytes: mixing them in produces
        // characters split across tokens as well as invalid sequences.
        int[] byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = tokenizer.id(String.valueOf(ByteLevelAlphabet.charOf(b))).getAsInt();
        }
        for (int trial = 0; trial < 2_000; trial++) {
            int[] ids = new int[random.nextInt(30)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = switch (random.nextInt(3)) {
                    case 0 -> byteTokens[0x80 + random.nextInt(0x80)];
                    case 1 -> random.nextInt(tokenizer.vocabSize());
                    default -> 151_643 + random.nextInt(26);
                };
            }
            for (boolean skip : new boolean[] {false, true}) {
                assertThat(stream(tokenizer, ids, skip, new StringBuilder())).isEqualTo(tokenizer.decode(ids, skip));
            }
        }
    }

    @Test
    void neverEmitsAReplacementCharacterForValidText() {
        Tokenizer tokenizer = Fixtures.qwen3();
        Random random = new Random(6);
        for (int trial = 0; trial < 1_000; trial++) {
            String text = RandomText.next(random, 1 + random.nextInt(30));
            int[] ids = tokenizer.encode(text);
            StringBuilder chunks = new StringBuilder();
            String streamed = stream(tokenizer, ids, false, chunks);
            assertThat(streamed).isEqualTo(tokenizer.decode(ids));
            assertThat(chunks.toString()).doesNotContain("\uFFFD");
        }
    }

    @Test
    void holdsBackACharacterUntilItsLastByteArrives() {
        Tokenizer tokenizer = Fixtures.qwen3();
        // 😀 is F0 9F 98 80: feed it one byte-token at a time.
        int[] bytes = {0xF0, 0x9F, 0x98, 0x80};
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        for (int i = 0; i < 3; i++) {
            assertThat(decoder.push(tokenizer.id(String.valueOf(ByteLevelAlphabet.charOf(bytes[i]))).getAsInt())).isEmpty();
        }
        assertThat(decoder.push(tokenizer.id(String.valueOf(ByteLevelAlphabet.charOf(bytes[3]))).getAsInt()))
                .isEqualTo("😀");
        assertThat(decoder.flush()).isEmpty();
    }

    @Test
    void flushReplacesAnIncompleteTailLikeDecode() {
        Tokenizer tokenizer = Fixtures.qwen3();
        int hello = tokenizer.id("Hello").getAsInt();
        int lead = tokenizer.id(String.valueOf(ByteLevelAlphabet.charOf(0xE4))).getAsInt();
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        assertThat(decoder.push(hello)).isEqualTo("Hello");
        assertThat(decoder.push(lead)).isEmpty();
        assertThat(decoder.flush()).isEqualTo("\uFFFD");
        assertThat(tokenizer.decode(new int[] {hello, lead})).isEqualTo("Hello\uFFFD");
        // After a flush the decoder starts afresh.
        assertThat(decoder.push(hello)).isEqualTo("Hello");
    }

    @Test
    void specialTokensStreamAsTextUnlessSkipped() {
        Tokenizer tokenizer = Fixtures.qwen3();
        int imEnd = tokenizer.id("<|im_end|>").getAsInt();
        assertThat(tokenizer.newStreamingDecoder().push(imEnd)).isEqualTo("<|im_end|>");
        assertThat(tokenizer.newStreamingDecoder(true).push(imEnd)).isEmpty();
    }
}
