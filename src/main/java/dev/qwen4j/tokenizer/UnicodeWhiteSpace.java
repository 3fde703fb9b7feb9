package dev.qwen4j.tokenizer;

/**
 * The Unicode White_Space property, which is what {@code \s} means in the Rust regex engines behind Hugging Face
 * tokenizers. {@link Character#isWhitespace} differs: it omits the no-break spaces and adds U+001C..U+001F.
 */
final class UnicodeWhiteSpace {
    private UnicodeWhiteSpace() {}

    static boolean contains(int codePoint) {
        return (codePoint >= 0x09 && codePoint <= 0x0D)
                || codePoint == 0x20
                || codePoint == 0x85
                || codePoint == 0xA0
                || codePoint == 0x1680
                || (codePoint >= 0x2000 && codePoint <= 0x200A)
                || codePoint == 0x2028
                || codePoint == 0x2029
                || codePoint == 0x202F
                || codePoint == 0x205F
                || codePoint == 0x3000;
    }
}
