package dev.qwen4j.tokenizer;

import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts normalized text into the pieces ("words") that BPE encodes independently, as a chain of Hugging Face
 * {@code Split} pre-tokenizers with the {@code Isolated} behaviour: each regex match and each stretch between
 * matches becomes its own piece, and every later regex splits the pieces of the one before.
 */
final class PreTokenizer {
    /**
     * The regex of Qwen2/Qwen3 tokenizers. Note that {@code \p{N}} takes one digit at a time, so numbers are
     * split per digit.
     */
    static final String QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** The regex of GPT-2's {@code ByteLevel} pre-tokenizer, applied when it has {@code use_regex: true}. */
    static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private final Pattern[] patterns;

    PreTokenizer(List<Pattern> patterns) {
        this.patterns = patterns.toArray(new Pattern[0]);
    }

    static PreTokenizer qwen2() {
        return new PreTokenizer(List.of(OnigurumaRegex.compile(QWEN2_PATTERN)));
    }

    /** Hands each non-empty piece of {@code text}, in order, to {@code pieces}. */
    void split(String text, Consumer<String> pieces) {
        if (text.isEmpty()) {
            return;
        }
        if (patterns.length == 0) {
            pieces.accept(text);
            return;
        }
        Matcher[] matchers = new Matcher[patterns.length];
        for (int level = 0; level < patterns.length; level++) {
            matchers[level] = patterns[level].matcher(text);
        }
        split(text, 0, text.length(), 0, matchers, pieces);
    }

    private void split(String text, int from, int to, int level, Matcher[] matchers, Consumer<String> pieces) {
        if (level == matchers.length) {
            pieces.accept(text.substring(from, to));
            return;
        }
        // A region with opaque bounds makes look-arounds stop at the piece's edges, as if it were its own string.
        Matcher matcher = matchers[level];
        matcher.region(from, to);
        int emitted = from;
        while (matcher.find()) {
            int start = matcher.start();
            int end = matcher.end();
            if (start == end) {
                continue; // an empty match cuts nothing
            }
            if (emitted < start) {
                split(text, emitted, start, level + 1, matchers, pieces);
            }
            split(text, start, end, level + 1, matchers, pieces);
            emitted = end;
        }
        if (emitted < to) {
            split(text, emitted, to, level + 1, matchers, pieces);
        }
    }
}
