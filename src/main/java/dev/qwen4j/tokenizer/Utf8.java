package dev.qwen4j.tokenizer;

/**
 * UTF-8 conversions with the exact error behaviour of Rust's {@code String::from_utf8_lossy}, which is what the
 * Hugging Face decoder uses: every maximal ill-formed subsequence (Unicode §3.9, "substitution of maximal
 * subparts") becomes one U+FFFD. The JDK's decoder is not specified to follow that rule, so it is spelled out.
 */
final class Utf8 {
    static final char REPLACEMENT = '\uFFFD';

    private Utf8() {}

    /** The UTF-8 bytes of {@code text[from, to)}; an unpaired surrogate (impossible in Rust strings) becomes U+FFFD. */
    static byte[] encode(String text, int from, int to) {
        int length = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        byte[] bytes = new byte[length];
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes[n++] = (byte) c;
            } else if (c < 0x800) {
                bytes[n++] = (byte) (0xC0 | (c >> 6));
                bytes[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                bytes[n++] = (byte) (0xF0 | (cp >> 18));
                bytes[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                bytes[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                bytes[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                char encoded = Character.isSurrogate(c) ? REPLACEMENT : c;
                bytes[n++] = (byte) (0xE0 | (encoded >> 12));
                bytes[n++] = (byte) (0x80 | ((encoded >> 6) & 0x3F));
                bytes[n++] = (byte) (0x80 | (encoded & 0x3F));
            }
        }
        return bytes;
    }

    /**
     * Decodes {@code bytes[from, to)} into {@code out}, replacing ill-formed input with U+FFFD.
     *
     * @param endOfInput when false, a trailing sequence that is well-formed so far but incomplete is left
     *                   undecoded, so that a streaming caller can complete it with the next bytes
     * @return the index of the first byte not consumed: {@code to}, or the start of the held-back sequence
     */
    static int decodeLossy(byte[] bytes, int from, int to, boolean endOfInput, StringBuilder out) {
        int i = from;
        while (i < to) {
            int lead = bytes[i] & 0xFF;
            if (lead < 0x80) {
                out.append((char) lead);
                i++;
                continue;
            }
            int continuations;
            int codePoint;
            // The first continuation byte has a narrower range after some leads: this excludes overlong forms,
            // surrogates (ED A0..) and code points above U+10FFFF (F4 90..).
            int firstLow = 0x80;
            int firstHigh = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                continuations = 1;
                codePoint = lead & 0x1F;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                continuations = 2;
                codePoint = lead & 0x0F;
                if (lead == 0xE0) {
                    firstLow = 0xA0;
                } else if (lead == 0xED) {
                    firstHigh = 0x9F;
                }
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                continuations = 3;
                codePoint = lead & 0x07;
                if (lead == 0xF0) {
                    firstLow = 0x90;
                } else if (lead == 0xF4) {
                    firstHigh = 0x8F;
                }
            } else {
                out.append(REPLACEMENT);
                i++;
                continue;
            }
            int next = i + 1;
            int seen = 0;
            while (seen < continuations && next < to) {
                int b = bytes[next] & 0xFF;
                int low = seen == 0 ? firstLow : 0x80;
                int high = seen == 0 ? firstHigh : 0xBF;
                if (b < low || b > high) {
                    break;
                }
                codePoint = (codePoint << 6) | (b & 0x3F);
                next++;
                seen++;
            }
            if (seen == continuations) {
                out.appendCodePoint(codePoint);
            } else if (next == to && !endOfInput) {
                return i;
            } else {
                out.append(REPLACEMENT);
            }
            i = next;
        }
        return to;
    }
}
