package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreTokenizerTest {
    private final PreTokenizer qwen2 = PreTokenizer.qwen2();

    private List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        qwen2.split(text, pieces::add);
        return pieces;
    }

    @Test
    void splitsWordsWithTheirLeadingSpaceAndDigitsOneByOne() {
        assertThat(pieces("Hello world 2024!")).containsExactly("Hello", " world", " ", "2", "0", "2", "4", "!");
    }

    @Test
    void splitsContractionsCaseInsensitively() {
        assertThat(pieces("I'M here, you'Ll see")).containsExactly("I", "'M", " here", ",", " you", "'Ll", " see");
    }

    @Test
    void keepsTheLastSpaceOfARunForTheNextWord() {
        assertThat(pieces("a   b")).containsExactly("a", "  ", " b");
        assertThat(pieces("trailing   ")).containsExactly("trailing", "   ");
    }

    @Test
    void groupsLineBreaksWithPrecedingSpaces() {
        assertThat(pieces("x  \n  \n y")).containsExactly("x", "  \n  \n", " y");
        assertThat(pieces("a\r\n\r\nb")).containsExactly("a", "\r\n\r\n", "b");
    }

    @Test
    void attachesOnePrecedingNonLetterToAWord() {
        assertThat(pieces("(foo) $bar")).containsExactly("(foo", ")", " $", "bar");
        assertThat(pieces("\"quoted\"")).containsExactly("\"quoted", "\"");
    }

    @Test
    void treatsSupplementaryCharactersAsSingleCodePoints() {
        // U+1D400 MATHEMATICAL BOLD CAPITAL A is a letter outside the BMP; 😀 is a symbol.
        assertThat(pieces("x \uD835\uDC00\uD835\uDC01 😀😀")).containsExactly("x", " \uD835\uDC00\uD835\uDC01", " 😀😀");
    }

    /** Oniguruma's \s is Unicode White_Space: no-break and ideographic spaces count, U+001C..U+001F do not. */
    @ParameterizedTest
    @CsvSource({"00A0, true", "3000, true", "2009, true", "0085, true", "001C, false", "001F, false", "200B, false",
        "FEFF, false"})
    void classifiesWhiteSpaceLikeOniguruma(String hex, boolean whiteSpace) {
        String c = String.valueOf((char) Integer.parseInt(hex, 16));
        List<String> split = pieces("a" + c + c + "b");
        // White space: the run keeps its last character for the next word. Otherwise it is punctuation-like.
        if (whiteSpace) {
            assertThat(split).containsExactly("a", c, c + "b");
        } else {
            assertThat(split).containsExactly("a", c + c, "b");
        }
        assertThat(UnicodeWhiteSpace.contains(Integer.parseInt(hex, 16))).isEqualTo(whiteSpace);
    }

    @Test
    void translatesOnigurumaEscapesIntoExplicitUnicodeClasses() {
        assertThat(OnigurumaRegex.toJava("[^\\s\\p{L}]\\S\\d\\w[\\w-]\\h\\p{^N}"))
                .isEqualTo("[^\\p{IsWhite_Space}\\p{L}]\\P{IsWhite_Space}\\p{Nd}[\\p{L}\\p{M}\\p{Nd}\\p{Pc}]"
                        + "[\\p{L}\\p{M}\\p{Nd}\\p{Pc}-][0-9A-Fa-f]\\P{N}");
        assertThat(OnigurumaRegex.toJava("\\r\\n\\\\s")).isEqualTo("\\r\\n\\\\s");
    }

    @Test
    void caseInsensitiveGroupsFoldBeyondAscii() {
        // Oniguruma folds U+017F LATIN SMALL LETTER LONG S to 's', so "'ſ" is a contraction.
        assertThat(OnigurumaRegex.compile("(?i:'s)").matcher("'\u017F").matches()).isTrue();
    }

    @Test
    void appliesChainedSplitsWithinEarlierPieces() {
        PreTokenizer chain = new PreTokenizer(List.of(OnigurumaRegex.compile("\\d+"), OnigurumaRegex.compile("b")));
        List<String> pieces = new ArrayList<>();
        chain.split("abc123abc", pieces::add);
        assertThat(pieces).containsExactly("a", "b", "c", "123", "a", "b", "c");
    }
}
