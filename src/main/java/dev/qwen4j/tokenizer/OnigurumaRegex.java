package dev.qwen4j.tokenizer;

import java.util.regex.Pattern;

/**
 * Compiles a pre-tokenizer regex written for the Rust {@code tokenizers} library (Oniguruma, Ruby syntax) into a
 * {@link Pattern} that matches the same strings.
 *
 * <p>The two dialects share the syntax Qwen uses, but not the meaning of every escape: Oniguruma's {@code \s},
 * {@code \d} and {@code \w} are Unicode-aware while Java's are ASCII-only, and Oniguruma's {@code \h} is a hex
 * digit where Java's is horizontal white space. Those escapes are rewritten into explicit Unicode classes; the
 * rest ({@code \p{L}}, {@code \p{N}}, {@code (?i:...)}, look-arounds, quantifiers) carries over verbatim.
 * {@link Pattern#UNICODE_CASE} makes {@code (?i)} fold case beyond ASCII, as Oniguruma does.
 */
final class OnigurumaRegex {
    /** Unicode White_Space: Oniguruma's {@code \s} (note: not U+001C..U+001F, which Python counts as space). */
    private static final String SPACE = "\\p{IsWhite_Space}";
    private static final String NOT_SPACE = "\\P{IsWhite_Space}";
    private static final String DIGIT = "\\p{Nd}";
    private static final String NOT_DIGIT = "\\P{Nd}";
    /** Oniguruma's Unicode {@code \w}: letters, marks, decimal digits and connector punctuation. */
    private static final String WORD_MEMBERS = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";
    private static final String HEX_MEMBERS = "0-9A-Fa-f";

    private OnigurumaRegex() {}

    /** @throws java.util.regex.PatternSyntaxException when the translated pattern is not valid Java */
    static Pattern compile(String onigurumaPattern) {
        return Pattern.compile(toJava(onigurumaPattern), Pattern.UNICODE_CASE);
    }

    static String toJava(String pattern) {
        StringBuilder java = new StringBuilder(pattern.length() + 32);
        int classDepth = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                char escaped = pattern.charAt(++i);
                boolean inClass = classDepth > 0;
                switch (escaped) {
                    case 's' -> java.append(SPACE);
                    case 'S' -> java.append(NOT_SPACE);
                    case 'd' -> java.append(DIGIT);
                    case 'D' -> java.append(NOT_DIGIT);
                    // Inside a class the members are spliced in; Java also accepts a nested class as a union.
                    case 'w' -> java.append(inClass ? WORD_MEMBERS : "[" + WORD_MEMBERS + "]");
                    case 'W' -> java.append("[^" + WORD_MEMBERS + "]");
                    case 'h' -> java.append(inClass ? HEX_MEMBERS : "[" + HEX_MEMBERS + "]");
                    case 'H' -> java.append("[^" + HEX_MEMBERS + "]");
                    case 'p', 'P' -> i = appendProperty(pattern, i, escaped, java);
                    default -> java.append('\\').append(escaped);
                }
            } else {
                if (c == '[') {
                    classDepth++;
                } else if (c == ']' && classDepth > 0) {
                    classDepth--;
                }
                java.append(c);
            }
        }
        return java.toString();
    }

    /** Copies {@code \p{Name}}, turning Oniguruma's negated form {@code \p{^Name}} into {@code \P{Name}}. */
    private static int appendProperty(String pattern, int letterIndex, char letter, StringBuilder java) {
        boolean braced = letterIndex + 1 < pattern.length() && pattern.charAt(letterIndex + 1) == '{';
        int close = braced ? pattern.indexOf('}', letterIndex + 2) : -1;
        if (close < 0) {
            java.append('\\').append(letter);
            return letterIndex;
        }
        String name = pattern.substring(letterIndex + 2, close);
        boolean negated = name.startsWith("^");
        if (negated) {
            name = name.substring(1);
            letter = letter == 'p' ? 'P' : 'p';
        }
        java.append('\\').append(letter).append('{').append(name).append('}');
        return close;
    }
}
