package dev.qwen4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small pull reader over the bytes of a UTF-8 JSON document.
 *
 * <p>It exists for load time: the vocabulary object and merge list of {@code tokenizer.json} are read with
 * {@link #readString(GrowableBytes)} straight into pooled byte buffers, without a Java string per entry, and
 * the small sections become plain {@link Map}/{@link List} trees through {@link #readValue()}. A cold JVM
 * spends longer initialising a general-purpose JSON library than this takes to read the whole file.
 */
final class JsonScanner {
    /** The document is not valid JSON; {@link #truncated()} tells whether it simply ended too early. */
    static final class MalformedJsonException extends RuntimeException {
        private final boolean truncated;

        MalformedJsonException(String message, boolean truncated) {
            super(message);
            this.truncated = truncated;
        }

        boolean truncated() {
            return truncated;
        }
    }

    /** Deeper nesting than any tokenizer file has; the bound keeps hostile input from overflowing the stack. */
    private static final int MAX_DEPTH = 256;

    private final byte[] in;
    private final int end;
    private int position;

    JsonScanner(byte[] in) {
        this.in = in;
        this.end = in.length;
    }

    /** The next significant byte, without consuming it. */
    int peek() {
        skipWhiteSpace();
        if (position >= end) {
            throw truncation();
        }
        return in[position] & 0xFF;
    }

    /** Consumes {@code c} if it is the next significant byte. */
    boolean consumeIf(char c) {
        if (peek() == c) {
            position++;
            return true;
        }
        return false;
    }

    void expect(char c) {
        int found = peek();
        if (found != c) {
            throw malformed("expected '" + c + "' but found " + describe(found));
        }
        position++;
    }

    /** Whether only white space remains. */
    boolean atEnd() {
        skipWhiteSpace();
        return position >= end;
    }

    /** Reads a string value and returns it as a Java string (for field names and other short values). */
    String readString() {
        GrowableBytes buffer = new GrowableBytes(32);
        readString(buffer);
        return new String(buffer.array(), 0, buffer.size(), StandardCharsets.UTF_8);
    }

    /** Reads a string value, appending its UTF-8 bytes, escapes resolved, to {@code out}. */
    void readString(GrowableBytes out) {
        expect('"');
        int runStart = position;
        while (true) {
            if (position >= end) {
                throw truncation();
            }
            int b = in[position] & 0xFF;
            if (b == '"') {
                out.addAll(in, runStart, position - runStart);
                position++;
                return;
            }
            if (b == '\\') {
                out.addAll(in, runStart, position - runStart);
                position++;
                readEscape(out);
                runStart = position;
            } else if (b < 0x20) {
                throw malformed("unescaped control character " + describe(b) + " in a string");
            } else {
                position++;
            }
        }
    }

    private void readEscape(GrowableBytes out) {
        if (position >= end) {
            throw truncation();
        }
        int escape = in[position++] & 0xFF;
        switch (escape) {
            case '"', '\\', '/' -> out.add(escape);
            case 'b' -> out.add('\b');
            case 'f' -> out.add('\f');
            case 'n' -> out.add('\n');
            case 'r' -> out.add('\r');
            case 't' -> out.add('\t');
            case 'u' -> {
                int unit = readHex4();
                int codePoint = unit;
                if (Character.isHighSurrogate((char) unit) && position + 1 < end
                        && in[position] == '\\' && in[position + 1] == 'u') {
                    int save = position;
                    position += 2;
                    int low = readHex4();
                    if (Character.isLowSurrogate((char) low)) {
                        codePoint = Character.toCodePoint((char) unit, (char) low);
                    } else {
                        position = save;
                    }
                }
                if (codePoint <= 0xFFFF && Character.isSurrogate((char) codePoint)) {
                    codePoint = Utf8.REPLACEMENT; // a lone surrogate has no UTF-8 form
                }
                appendUtf8(codePoint, out);
            }
            default -> throw malformed("invalid escape \\" + (char) escape);
        }
    }

    private int readHex4() {
        if (position + 4 > end) {
            throw truncation();
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(in[position++], 16);
            if (digit < 0) {
                throw malformed("invalid \\u escape");
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    private static void appendUtf8(int codePoint, GrowableBytes out) {
        if (codePoint < 0x80) {
            out.add(codePoint);
        } else if (codePoint < 0x800) {
            out.add(0xC0 | (codePoint >> 6));
            out.add(0x80 | (codePoint & 0x3F));
        } else if (codePoint < 0x10000) {
            out.add(0xE0 | (codePoint >> 12));
            out.add(0x80 | ((codePoint >> 6) & 0x3F));
            out.add(0x80 | (codePoint & 0x3F));
        } else {
            out.add(0xF0 | (codePoint >> 18));
            out.add(0x80 | ((codePoint >> 12) & 0x3F));
            out.add(0x80 | ((codePoint >> 6) & 0x3F));
            out.add(0x80 | (codePoint & 0x3F));
        }
    }

    /** Reads an integer number; a fraction or exponent is an error. */
    long readInteger() {
        int b = peek();
        int start = position;
        if (b == '-') {
            position++;
        }
        long value = 0;
        int digits = 0;
        while (position < end && in[position] >= '0' && in[position] <= '9') {
            value = value * 10 + (in[position++] - '0');
            if (++digits > 18) {
                throw malformed("integer too large");
            }
        }
        if (position >= end) {
            throw truncation();
        }
        if (digits == 0 || in[position] == '.' || in[position] == 'e' || in[position] == 'E') {
            position = start;
            throw malformed("expected an integer but found " + describe(in[start] & 0xFF));
        }
        return in[start] == '-' ? -value : value;
    }

    /**
     * Reads one value of any kind as a tree: {@link Map} (keys in document order), {@link List}, {@link String},
     * {@link Long} for integers, {@link Double} for other numbers, {@link Boolean}, or null for JSON null.
     */
    Object readValue() {
        return readValue(0);
    }

    private Object readValue(int depth) {
        if (depth > MAX_DEPTH) {
            throw malformed("nested more than " + MAX_DEPTH + " levels deep");
        }
        int b = peek();
        switch (b) {
            case '"' -> {
                return readString();
            }
            case '{' -> {
                position++;
                Map<String, Object> object = new LinkedHashMap<>();
                if (!consumeIf('}')) {
                    do {
                        String name = readString();
                        expect(':');
                        object.put(name, readValue(depth + 1));
                    } while (consumeIf(','));
                    expect('}');
                }
                return object;
            }
            case '[' -> {
                position++;
                List<Object> array = new ArrayList<>();
                if (!consumeIf(']')) {
                    do {
                        array.add(readValue(depth + 1));
                    } while (consumeIf(','));
                    expect(']');
                }
                return array;
            }
            case 't' -> {
                readLiteral("true");
                return Boolean.TRUE;
            }
            case 'f' -> {
                readLiteral("false");
                return Boolean.FALSE;
            }
            case 'n' -> {
                readLiteral("null");
                return null;
            }
            default -> {
                return readNumber();
            }
        }
    }

    private void readLiteral(String literal) {
        for (int i = 0; i < literal.length(); i++) {
            if (position >= end) {
                throw truncation();
            }
            if (in[position] != literal.charAt(i)) {
                throw malformed("expected " + literal);
            }
            position++;
        }
    }

    private Object readNumber() {
        int start = position;
        while (position < end && isNumberByte(in[position])) {
            position++;
        }
        if (position >= end) {
            throw truncation();
        }
        String text = new String(in, start, position - start, StandardCharsets.US_ASCII);
        try {
            if (text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
                return Long.parseLong(text);
            }
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            position = start;
            throw malformed(text.isEmpty() ? "expected a value but found " + describe(in[start] & 0xFF)
                    : "invalid number " + text);
        }
    }

    private static boolean isNumberByte(byte b) {
        return (b >= '0' && b <= '9') || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E';
    }

    /** Skips one value of any kind without building it (sections of the file this reader does not need). */
    void skipValue() {
        switch (peek()) {
            case '"' -> skipString();
            case '{', '[' -> skipContainer();
            default -> skipScalar();
        }
    }

    private void skipString() {
        position++;
        while (true) {
            if (position >= end) {
                throw truncation();
            }
            int b = in[position++];
            if (b == '"') {
                return;
            }
            if (b == '\\') {
                position++;
            }
        }
    }

    private void skipContainer() {
        int depth = 0;
        do {
            if (position >= end) {
                throw truncation();
            }
            int b = in[position];
            if (b == '"') {
                skipString();
                continue;
            }
            if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                depth--;
            }
            position++;
        } while (depth > 0);
    }

    private void skipScalar() {
        int start = position;
        while (position < end) {
            int b = in[position];
            if (b == ',' || b == '}' || b == ']' || b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                break;
            }
            position++;
        }
        if (position == start) {
            throw malformed("expected a value but found " + describe(in[start] & 0xFF));
        }
        if (position >= end) {
            throw truncation();
        }
    }

    private void skipWhiteSpace() {
        while (position < end) {
            int b = in[position];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            position++;
        }
    }

    private MalformedJsonException truncation() {
        return new MalformedJsonException("the file ends in the middle of the JSON document (truncated?)", true);
    }

    MalformedJsonException malformed(String problem) {
        return new MalformedJsonException("malformed JSON at byte " + position + ": " + problem, false);
    }

    private static String describe(int b) {
        return b >= 0x20 && b < 0x7F ? "'" + (char) b + "'" : String.format("byte 0x%02X", b);
    }
}
