package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Utf8Test {
    private static final CharsetDecoder STRICT = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    private static byte[] hex(String hex) {
        String digits = hex.replace(" ", "");
        byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }

    private static String lossy(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        assertThat(Utf8.decodeLossy(bytes, 0, bytes.length, true, out)).isEqualTo(bytes.length);
        return out.toString();
    }

    /** Expected strings follow Rust's from_utf8_lossy (one U+FFFD per maximal ill-formed subpart). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "48 69                   | Hi",
        "C3 A9                   | é",
        "E4 BD A0                | 你",
        "F0 9F 98 80             | 😀",
        "F0 90 80 41             | \uFFFDA",         // truncated 4-byte sequence: one replacement
        "E0 80                   | \uFFFD\uFFFD",    // overlong lead then stray continuation
        "C0 AF                   | \uFFFD\uFFFD",    // C0 is never valid
        "ED A0 80                | \uFFFD\uFFFD\uFFFD", // UTF-16 surrogate encoded in UTF-8
        "ED BB                   | \uFFFD\uFFFD",    // the JDK's replacing decoder gives one U+FFFD here
        "F4 90 80 80             | \uFFFD\uFFFD\uFFFD\uFFFD", // above U+10FFFF
        "80 BF                   | \uFFFD\uFFFD",
        "E2 82                   | \uFFFD",          // incomplete at end of input
        "61 F1 80 80 E1 80 C2 62 | a\uFFFD\uFFFD\uFFFDb",
        "FF FE 41                | \uFFFD\uFFFDA",
    })
    void replacesEachMaximalIllFormedSubpartWithOneReplacementCharacter(String bytes, String expected) {
        assertThat(lossy(hex(bytes))).isEqualTo(expected);
    }

    @Test
    void matchesTheDefinitionOfMaximalSubpartsOnRandomBytes() {
        Random random = new Random(1);
        for (int trial = 0; trial < 20_000; trial++) {
            byte[] bytes = new byte[random.nextInt(12)];
            for (int i = 0; i < bytes.length; i++) {
                int pick = random.nextInt(4);
                bytes[i] = (byte) (pick == 0 ? random.nextInt(0x80) : pick == 1 ? 0x80 + random.nextInt(0x40)
                        : 0xC0 + random.nextInt(0x40));
            }
            assertThat(lossy(bytes)).as("bytes %s", HexFormat.of().formatHex(bytes))
                    .isEqualTo(referenceLossy(bytes));
        }
    }

    /**
     * The Unicode definition, spelled out with the JDK's strict decoder as the judge of well-formedness (the
     * JDK's own replacing decoder is not usable: it treats e.g. ED BB as one truncated sequence, where Rust and
     * Unicode see two maximal subparts).
     */
    private static String referenceLossy(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < bytes.length) {
            String complete = null;
            int completeLength = 0;
            for (int k = 1; k <= 4 && i + k <= bytes.length; k++) {
                String decoded = strictDecode(Arrays.copyOfRange(bytes, i, i + k));
                if (decoded != null) {
                    complete = decoded;
                    completeLength = k;
                    break;
                }
            }
            if (complete != null) {
                out.append(complete);
                i += completeLength;
                continue;
            }
            int subpart = 1;
            for (int k = 2; k <= 3 && i + k <= bytes.length; k++) {
                if (isProperPrefixOfWellFormed(Arrays.copyOfRange(bytes, i, i + k))) {
                    subpart = k;
                }
            }
            out.append('\uFFFD');
            i += subpart;
        }
        return out.toString();
    }

    /**
     * Checked for prefixes of two or three bytes: only the second byte of a sequence has a lead-specific range,
     * so if any completion is well-formed, completing with 0x80 bytes is.
     */
    private static boolean isProperPrefixOfWellFormed(byte[] prefix) {
        for (int total = prefix.length + 1; total <= 4; total++) {
            byte[] candidate = Arrays.copyOf(prefix, total);
            Arrays.fill(candidate, prefix.length, total, (byte) 0x80);
            if (strictDecode(candidate) != null) {
                return true;
            }
        }
        return false;
    }

    /** The single code point {@code bytes} encode, or null when they are not exactly one well-formed sequence. */
    private static String strictDecode(byte[] bytes) {
        try {
            String decoded = STRICT.reset().decode(ByteBuffer.wrap(bytes)).toString();
            return decoded.codePointCount(0, decoded.length()) == 1 ? decoded : null;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Test
    void holdsBackAnIncompleteTrailingSequenceWhenMoreInputMayFollow() {
        byte[] bytes = hex("61 F0 9F 98");
        StringBuilder out = new StringBuilder();
        assertThat(Utf8.decodeLossy(bytes, 0, bytes.length, false, out)).isEqualTo(1);
        assertThat(out).hasToString("a");
    }

    @Test
    void doesNotHoldBackASequenceThatIsAlreadyIllFormed() {
        byte[] bytes = hex("E0 80");
        StringBuilder out = new StringBuilder();
        assertThat(Utf8.decodeLossy(bytes, 0, bytes.length, false, out)).isEqualTo(2);
        assertThat(out).hasToString("\uFFFD\uFFFD");
    }

    @Test
    void encodesLikeTheJdkAndReplacesLoneSurrogates() {
        String text = "a é 你 😀 \u0000";
        assertThat(Utf8.encode(text, 0, text.length())).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        String lone = "x\uD800y\uDC00";
        assertThat(new String(Utf8.encode(lone, 0, lone.length()), StandardCharsets.UTF_8)).isEqualTo("x\uFFFDy\uFFFD");
    }
}
