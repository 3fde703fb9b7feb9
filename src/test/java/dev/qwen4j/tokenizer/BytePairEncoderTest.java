package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merge loop on small vocabularies whose correct output can be worked out by hand. */
class BytePairEncoderTest {
    @TempDir
    Path dir;

    @Test
    void appliesMergesByRankNotByPosition() {
        // "b c" outranks "a b", so "abc" becomes a + bc even though "ab" comes first in the text.
        SyntheticTokenizer synthetic = new SyntheticTokenizer("b c", "a b", "a bc");
        Tokenizer tokenizer = synthetic.load(dir);
        assertThat(tokenizer.encode("abc")).containsExactly(synthetic.id("abc"));
        SyntheticTokenizer reversed = new SyntheticTokenizer("a b", "b c", "ab c");
        assertThat(reversed.load(dir).encode("abc")).containsExactly(reversed.id("abc"));
        SyntheticTokenizer partial = new SyntheticTokenizer("b c", "a b");
        assertThat(partial.load(dir).encode("abc")).containsExactly('a', partial.id("bc"));
    }

    @Test
    void equalRanksMergeLeftmostFirst() {
        SyntheticTokenizer synthetic = new SyntheticTokenizer("a a");
        Tokenizer tokenizer = synthetic.load(dir);
        int aa = synthetic.id("aa");
        assertThat(tokenizer.encode("aaa")).containsExactly(aa, 'a');
        assertThat(tokenizer.encode("aaaa")).containsExactly(aa, aa);
        // 7 a's: aa aa aa a, then the leftmost "aa aa" makes aaaa, which leaves aa and a with no merge between.
        SyntheticTokenizer twice = new SyntheticTokenizer("a a", "aa aa", "aaaa a");
        assertThat(twice.load(dir).encode("aaaaaaa")).containsExactly(twice.id("aaaa"), twice.id("aa"), 'a');
        assertThat(twice.load(dir).encode("aaaaa")).containsExactly(twice.id("aaaaa"));
    }

    @Test
    void mergesWorkOnByteLevelCharactersOfMultiByteText() {
        // "é" is C3 A9, written Ã© in the byte alphabet.
        SyntheticTokenizer synthetic = new SyntheticTokenizer("Ã ©", "Ġ Ã©");
        Tokenizer tokenizer = synthetic.load(dir);
        assertThat(tokenizer.encode(" é")).containsExactly(synthetic.id("ĠÃ©"));
        assertThat(tokenizer.decode(new int[] {synthetic.id("ĠÃ©")})).isEqualTo(" é");
        assertThat(tokenizer.token(synthetic.id("ĠÃ©"))).isEqualTo("ĠÃ©");
    }

    @Test
    void piecesAreEncodedIndependently() {
        // " a" and "b" are separate pieces, so the merge "a b" must not cross between them.
        SyntheticTokenizer synthetic = new SyntheticTokenizer("a b");
        Tokenizer tokenizer = synthetic.load(dir);
        assertThat(tokenizer.encode("ab")).containsExactly(synthetic.id("ab"));
        assertThat(tokenizer.encode("a1b")).containsExactly('a', '1', 'b');
    }

    @Test
    void ignoreMergesEmitsWholeVocabularyWords() {
        SyntheticTokenizer synthetic = new SyntheticTokenizer("a b", "c d");
        synthetic.vocab.put("abcd", 400);
        synthetic.model.put("ignore_merges", true);
        Tokenizer tokenizer = synthetic.load(dir);
        assertThat(tokenizer.encode("abcd")).containsExactly(400);
        assertThat(tokenizer.encode("abc")).containsExactly(synthetic.id("ab"), 'c');
    }

    @Test
    void cachedAndUncachedResultsAgree() {
        Tokenizer tokenizer = Fixtures.qwen3();
        String text = "internationalization internationalization " + "x".repeat(300) + " " + "x".repeat(300);
        int[] first = tokenizer.encode(text);
        assertThat(tokenizer.encode(text)).containsExactly(first);
        assertThat(tokenizer.decode(first)).isEqualTo(text);
    }
}
