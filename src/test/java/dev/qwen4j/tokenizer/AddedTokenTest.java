package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Matching of added tokens and their options, on small synthetic tokenizers with byte tokens only. */
class AddedTokenTest {
    @TempDir
    Path dir;

    /** The id of an ASCII character's byte token: the synthetic vocabulary numbers byte tokens by byte value. */
    private static int b(char c) {
        return c;
    }

    @Test
    void longestTokenWinsAtTheLeftmostPosition() {
        Tokenizer tokenizer = new SyntheticTokenizer()
                .literalToken(300, "<a>", true)
                .literalToken(301, "<a><b>", true)
                .literalToken(302, "b>", false)
                .load(dir);
        assertThat(tokenizer.encode("x<a><b>y")).containsExactly(b('x'), 301, b('y'));
        assertThat(tokenizer.encode("<a><c>")).containsExactly(300, b('<'), b('c'), b('>'));
        // Leftmost first: "<a>" starts before "b>" could.
        assertThat(tokenizer.encode("<a>b>")).containsExactly(300, 302);
    }

    @Test
    void leftStripAbsorbsPrecedingWhiteSpace() {
        Tokenizer tokenizer = new SyntheticTokenizer().addedToken(300, "<m>", true, false, true, false, false).load(dir);
        assertThat(tokenizer.encode("a \t <m> b")).containsExactly(b('a'), 300, b(' '), b('b'));
    }

    @Test
    void rightStripAbsorbsFollowingWhiteSpace() {
        Tokenizer tokenizer = new SyntheticTokenizer().addedToken(300, "<m>", true, false, false, true, false).load(dir);
        assertThat(tokenizer.encode("a <m> \u00A0 b")).containsExactly(b('a'), b(' '), 300, b('b'));
    }

    @Test
    void singleWordTokensDoNotMatchInsideWords() {
        Tokenizer tokenizer = new SyntheticTokenizer().addedToken(300, "mask", true, true, false, false, false).load(dir);
        assertThat(tokenizer.encode("a mask.")).containsExactly(b('a'), b(' '), 300, b('.'));
        assertThat(tokenizer.encode("unmask")).doesNotContain(300);
        assertThat(tokenizer.encode("masked")).doesNotContain(300);
    }

    @Test
    void normalizedTokensMatchTheNormalizedText() {
        // "é" composed; the input spells it with a combining accent, which NFC composes before matching.
        Tokenizer tokenizer = new SyntheticTokenizer()
                .addedToken(300, "caf\u00E9", false, false, false, false, true)
                .addedToken(301, "ne\u0301e", false, false, false, false, false)
                .load(dir);
        assertThat(tokenizer.encode("cafe\u0301!")).containsExactly(300, b('!'));
        // A raw (non-normalized) token is matched before normalization, against the text as given.
        assertThat(tokenizer.encode("ne\u0301e")).containsExactly(301);
        assertThat(tokenizer.encode("n\u00E9e")).doesNotContain(301);
    }

    @Test
    void tokenizerConfigAddsTokensAndOverridesFlags() throws Exception {
        new SyntheticTokenizer().literalToken(300, "<|end|>", true).literalToken(301, "<x>", true)
                .write(dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"added_tokens_decoder": {
                   "301": {"content": "<x>", "special": false, "lstrip": false, "rstrip": false,
                           "normalized": false, "single_word": false},
                   "302": {"content": "<new>", "special": true}},
                 "eos_token": {"content": "<|end|>", "special": true},
                 "pad_token": "<new>",
                 "bos_token": null}
                """);
        Tokenizer tokenizer = Tokenizer.fromModelDir(dir);
        assertThat(tokenizer.isSpecial(301)).isFalse();
        assertThat(tokenizer.encode("a<new>")).containsExactly(b('a'), 302);
        assertThat(tokenizer.eosTokenId()).hasValue(300);
        assertThat(tokenizer.padTokenId()).hasValue(302);
        assertThat(tokenizer.bosTokenId()).isEmpty();
        assertThat(tokenizer.vocabSize()).isEqualTo(303);
        assertThat(tokenizer.addedTokens()).extracting(AddedToken::id).containsExactly(300, 301, 302);
    }

    @Test
    void addedTokenDecodingUsesItsOwnBytesWhenOutsideTheByteAlphabet() {
        // A plain space is not a byte-alphabet character (that is Ġ), so the token decodes to its literal text.
        Tokenizer tokenizer = new SyntheticTokenizer().literalToken(300, "<a b>", false).load(dir);
        assertThat(tokenizer.decode(new int[] {300, b('x')})).isEqualTo("<a b>x");
    }
}
