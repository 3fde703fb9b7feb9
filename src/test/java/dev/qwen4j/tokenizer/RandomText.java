package dev.qwen4j.tokenizer;

import java.util.Random;

/** Generates random strings that stress tokenization: mixed scripts, emoji, combining marks, odd white space. */
final class RandomText {
    private static final String[] FRAGMENTS = {
        " ", "  ", "     ", "\t", "\n", "\r\n", "\n\n\n", " \n ", "\u00A0", "\u3000", "\u2009", "\u0085", "\u001C",
        "'s", "'LL", "'ve", "don't", "I'M", "Hello", " world", "the", "é", "e\u0301", "a\u0308\u0323", "\u0301",
        "你好", "世界", "日本語", "한국어", "Привет", "مرحبا", "Ελληνικά", "हिन्दी", "ไทย",
        "😀", "👨\u200D👩\u200D👧", "🇺🇸", "❤\uFE0F", "👍🏽", "\uD835\uDC00", "\u200B", "\u00AD", "\uFEFF",
        "123", "3.14", "-42", "1e-10", "0x1F", "٣", "½", "Ⅻ",
        "{\"a\": [1, 2]}", "x <= y && z", "#include", "<div>", "&amp;", "...", "---", "!!!", "$", "€",
        "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "<|endoftext|>", "<|im", "<think",
    };

    private RandomText() {}

    /** A string of {@code pieces} fragments and random code points (no unpaired surrogates). */
    static String next(Random random, int pieces) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            if (random.nextInt(3) == 0) {
                text.appendCodePoint(randomCodePoint(random));
            } else {
                text.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
            }
        }
        return text.toString();
    }

    private static int randomCodePoint(Random random) {
        while (true) {
            int codePoint = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> random.nextInt(0x800);
                case 2 -> random.nextInt(0x10000);
                default -> 0x10000 + random.nextInt(0x100000);
            };
            if (!(codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
                return codePoint;
            }
        }
    }
}
