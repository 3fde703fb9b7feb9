package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Turns template source into tokens exactly as jinja2's lexer does in the configuration transformers
 * uses: {@code trim_blocks} (a block or comment tag eats the one newline after it), {@code lstrip_blocks}
 * (spaces and tabs before a block or comment tag at the start of a line are dropped) and the
 * {@code -}/{@code +} whitespace-control markers, which take precedence over both.
 */
final class Lexer {

    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    };

    private enum TagKind { VARIABLE, BLOCK, COMMENT, RAW }

    /**
     * Where a tag opens. {@code contentStart} is just past the opener and its marker, or for a raw block
     * just past the whole {@code {% raw %}} tag.
     */
    private record TagStart(TagKind kind, int offset, char marker, int contentStart) {}

    private final String source;
    private final int[] lineStarts;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    /** True when the last consumed character was a newline (or nothing was consumed yet): lstrip applies. */
    private boolean lineStarting = true;

    private Lexer(String source) {
        this.source = source;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < source.length(); i++) {
            if (source.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(normalizeNewlines(source));
        lexer.run();
        return lexer.tokens;
    }

    /**
     * jinja2 reads every line ending as {@code \n} and, with {@code keep_trailing_newline=False}, drops a
     * single newline at the very end of the template.
     */
    static String normalizeNewlines(String source) {
        String normalized = source.replace("\r\n", "\n").replace('\r', '\n');
        return normalized.endsWith("\n") ? normalized.substring(0, normalized.length() - 1) : normalized;
    }

    private void run() {
        while (pos < source.length()) {
            TagStart tag = findTagStart(pos);
            if (tag == null) {
                addToken(Token.Kind.DATA, source.substring(pos), null, pos);
                pos = source.length();
                break;
            }
            String text = stripBeforeTag(source.substring(pos, tag.offset()), tag.marker(),
                    tag.kind() != TagKind.VARIABLE);
            if (!text.isEmpty()) {
                addToken(Token.Kind.DATA, text, null, pos);
            }
            switch (tag.kind()) {
                case RAW -> lexRawBlock(tag);
                case COMMENT -> skipComment(tag);
                case VARIABLE, BLOCK -> lexTag(tag);
            }
        }
        addToken(Token.Kind.EOF, "", null, source.length());
    }

    private TagStart findTagStart(int from) {
        for (int i = from; i + 1 < source.length(); i++) {
            if (source.charAt(i) != '{') {
                continue;
            }
            char opener = source.charAt(i + 1);
            if (opener != '{' && opener != '%' && opener != '#') {
                continue;
            }
            char marker = i + 2 < source.length() && (source.charAt(i + 2) == '-' || source.charAt(i + 2) == '+')
                    ? source.charAt(i + 2) : 0;
            int contentStart = i + 2 + (marker == 0 ? 0 : 1);
            if (opener == '%') {
                int rawEnd = matchRawBegin(contentStart);
                if (rawEnd >= 0) {
                    return new TagStart(TagKind.RAW, i, marker, rawEnd);
                }
            }
            TagKind kind = opener == '{' ? TagKind.VARIABLE : opener == '%' ? TagKind.BLOCK : TagKind.COMMENT;
            return new TagStart(kind, i, marker, contentStart);
        }
        return null;
    }

    /**
     * Applies whitespace control to the text before a tag: {@code -} strips all trailing whitespace;
     * otherwise lstrip_blocks removes the indentation of a block or comment tag that starts a line.
     */
    private String stripBeforeTag(String text, char marker, boolean lstripApplies) {
        if (marker == '-') {
            return PyStrings.strip(text, null, false, true);
        }
        if (marker != '+' && lstripApplies) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && lineStart < text.length() && isAllSpace(text, lineStart)) {
                return text.substring(0, lineStart);
            }
        }
        return text;
    }

    private static boolean isAllSpace(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (!PyStrings.isSpace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Matches {@code \s*raw\s*(-%}\s*|%})} at p; note jinja2 applies no trim_blocks after a raw opener. */
    private int matchRawBegin(int p) {
        p = skipSpace(p);
        if (!source.startsWith("raw", p)) {
            return -1;
        }
        p = skipSpace(p + 3);
        if (source.startsWith("-%}", p)) {
            return skipSpace(p + 3);
        }
        return source.startsWith("%}", p) ? p + 2 : -1;
    }

    private void lexRawBlock(TagStart tag) {
        int contentStart = tag.contentStart();
        lineStarting = source.charAt(contentStart - 1) == '\n';
        for (int j = contentStart; j + 1 < source.length(); j++) {
            if (source.charAt(j) != '{' || source.charAt(j + 1) != '%') {
                continue;
            }
            char marker = j + 2 < source.length() && (source.charAt(j + 2) == '-' || source.charAt(j + 2) == '+')
                    ? source.charAt(j + 2) : 0;
            int p = skipSpace(j + 2 + (marker == 0 ? 0 : 1));
            if (!source.startsWith("endraw", p)) {
                continue;
            }
            int end = matchBlockEnd(skipSpace(p + 6));
            if (end < 0) {
                continue;
            }
            String text = stripBeforeTag(source.substring(contentStart, j), marker, true);
            if (!text.isEmpty()) {
                addToken(Token.Kind.DATA, text, null, contentStart);
            }
            pos = end;
            lineStarting = source.charAt(end - 1) == '\n';
            return;
        }
        throw error("Missing end of raw directive", tag.offset());
    }

    private void skipComment(TagStart tag) {
        for (int j = tag.contentStart(); j < source.length(); j++) {
            int end;
            if (source.startsWith("+#}", j)) {
                end = j + 3;
            } else if (source.startsWith("-#}", j)) {
                end = skipSpace(j + 3);
            } else if (source.startsWith("#}", j)) {
                end = trimNewline(j + 2);
            } else {
                continue;
            }
            pos = end;
            lineStarting = source.charAt(end - 1) == '\n';
            return;
        }
        throw error("Missing end of comment tag", tag.offset());
    }

    private void lexTag(TagStart tag) {
        boolean block = tag.kind() == TagKind.BLOCK;
        addToken(block ? Token.Kind.BLOCK_BEGIN : Token.Kind.VARIABLE_BEGIN,
                source.substring(tag.offset(), tag.contentStart()), null, tag.offset());
        pos = tag.contentStart();
        Deque<Character> openBrackets = new ArrayDeque<>();
        while (pos < source.length()) {
            if (openBrackets.isEmpty()) {
                int end = block ? matchBlockEnd(pos) : matchVariableEnd(pos);
                if (end >= 0) {
                    addToken(block ? Token.Kind.BLOCK_END : Token.Kind.VARIABLE_END,
                            source.substring(pos, end), null, pos);
                    pos = end;
                    lineStarting = source.charAt(end - 1) == '\n';
                    return;
                }
            }
            char c = source.charAt(pos);
            if (PyStrings.isSpace(c)) {
                pos++;
            } else if (isDigit(c)) {
                lexNumber();
            } else if (c == '_' || Character.isLetter(c)) {
                int start = pos;
                while (pos < source.length() && (source.charAt(pos) == '_'
                        || Character.isLetterOrDigit(source.charAt(pos)))) {
                    pos++;
                }
                addToken(Token.Kind.NAME, source.substring(start, pos), null, start);
            } else if (c == '\'' || c == '"') {
                lexString(c);
            } else {
                lexOperator(openBrackets);
            }
        }
        // The parser reports the missing end tag, naming what it expected there.
    }

    /** {@code +%}} keeps what follows, {@code -%}} eats all following whitespace, {@code %}} one newline. */
    private int matchBlockEnd(int p) {
        if (source.startsWith("+%}", p)) {
            return p + 3;
        }
        if (source.startsWith("-%}", p)) {
            return skipSpace(p + 3);
        }
        return source.startsWith("%}", p) ? trimNewline(p + 2) : -1;
    }

    /** Variable tags only honour {@code -}}}; trim_blocks does not apply to them. */
    private int matchVariableEnd(int p) {
        if (source.startsWith("-}}", p)) {
            return skipSpace(p + 3);
        }
        return source.startsWith("}}", p) ? p + 2 : -1;
    }

    private int trimNewline(int p) {
        return p < source.length() && source.charAt(p) == '\n' ? p + 1 : p;
    }

    private int skipSpace(int p) {
        while (p < source.length() && PyStrings.isSpace(source.charAt(p))) {
            p++;
        }
        return p;
    }

    private void lexNumber() {
        int start = pos;
        if (start == 0 || source.charAt(start - 1) != '.') {
            int end = floatEnd(start);
            if (end >= 0) {
                pos = end;
                String literal = source.substring(start, end).replace("_", "");
                addToken(Token.Kind.FLOAT, source.substring(start, end), Double.parseDouble(literal), start);
                return;
            }
        }
        char first = source.charAt(start);
        char prefix = start + 1 < source.length() ? Character.toLowerCase(source.charAt(start + 1)) : 0;
        int prefixRadix = first != '0' ? 0 : prefix == 'b' ? 2 : prefix == 'o' ? 8 : prefix == 'x' ? 16 : 0;
        int radix = 10;
        int digitsStart = start;
        int end;
        if (prefixRadix > 0 && separatedDigitsEnd(start + 2, prefixRadix) > start + 2) {
            radix = prefixRadix;
            digitsStart = start + 2;
            end = separatedDigitsEnd(digitsStart, radix);
        } else {
            end = first == '0' ? zerosEnd(start + 1) : separatedDigitsEnd(start + 1, 10);
        }
        pos = end;
        String digits = source.substring(digitsStart, end).replace("_", "");
        addToken(Token.Kind.INTEGER, source.substring(start, end),
                PyNumbers.normalize(new BigInteger(digits, radix)), start);
    }

    /** End of jinja2's float literal ({@code 1.5}, {@code 1e3}, {@code 1.5e-3}, underscores allowed) or -1. */
    private int floatEnd(int start) {
        int integerEnd = digitGroupEnd(start);
        int fractionEnd = integerEnd < source.length() && source.charAt(integerEnd) == '.'
                ? digitGroupEnd(integerEnd + 1) : -1;
        int exponentEnd = exponentEnd(fractionEnd >= 0 ? fractionEnd : integerEnd);
        if (exponentEnd >= 0) {
            return exponentEnd;
        }
        return fractionEnd;
    }

    private int exponentEnd(int p) {
        if (p >= source.length() || Character.toLowerCase(source.charAt(p)) != 'e') {
            return -1;
        }
        p++;
        if (p < source.length() && (source.charAt(p) == '+' || source.charAt(p) == '-')) {
            p++;
        }
        return digitGroupEnd(p);
    }

    /** {@code (\d+_)*\d+}: digits where single underscores may separate groups; -1 if no digit at p. */
    private int digitGroupEnd(int p) {
        if (p >= source.length() || !isDigit(source.charAt(p))) {
            return -1;
        }
        while (true) {
            while (p < source.length() && isDigit(source.charAt(p))) {
                p++;
            }
            if (p + 1 < source.length() && source.charAt(p) == '_' && isDigit(source.charAt(p + 1))) {
                p++;
            } else {
                return p;
            }
        }
    }

    /** {@code (_?digit)*} in the given radix, starting at p. */
    private int separatedDigitsEnd(int p, int radix) {
        while (true) {
            int q = p < source.length() && source.charAt(p) == '_' ? p + 1 : p;
            if (q < source.length() && Character.digit(source.charAt(q), radix) >= 0) {
                p = q + 1;
            } else {
                return p;
            }
        }
    }

    private int zerosEnd(int p) {
        while (true) {
            int q = p < source.length() && source.charAt(p) == '_' ? p + 1 : p;
            if (q < source.length() && source.charAt(q) == '0') {
                p = q + 1;
            } else {
                return p;
            }
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void lexString(char quote) {
        int start = pos;
        int j = pos + 1;
        while (j < source.length() && source.charAt(j) != quote) {
            j += source.charAt(j) == '\\' ? 2 : 1;
        }
        if (j >= source.length()) {
            throw error("unterminated string literal", start);
        }
        pos = j + 1;
        addToken(Token.Kind.STRING, decodeEscapes(source.substring(start + 1, j), start), null, start);
    }

    /** Decodes the body of a string literal as Python's {@code unicode-escape} codec does. */
    private String decodeEscapes(String body, int offset) {
        if (body.indexOf('\\') < 0) {
            return body;
        }
        StringBuilder out = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 >= body.length()) {
                out.append(c);
                i++;
                continue;
            }
            char escape = body.charAt(i + 1);
            i += 2;
            switch (escape) {
                case '\n' -> { }
                case '\\', '\'', '"' -> out.append(escape);
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int length = escape == 'x' ? 2 : escape == 'u' ? 4 : 8;
                    int codePoint = hexValue(body, i, length);
                    if (codePoint < 0 || codePoint > Character.MAX_CODE_POINT) {
                        throw error("invalid \\" + escape + " escape in string literal", offset);
                    }
                    out.appendCodePoint(codePoint);
                    i += length;
                }
                case 'N' -> {
                    int close = body.indexOf('}', i);
                    if (i >= body.length() || body.charAt(i) != '{' || close < 0) {
                        throw error("malformed \\N character escape in string literal", offset);
                    }
                    try {
                        out.appendCodePoint(Character.codePointOf(body.substring(i + 1, close)));
                    } catch (IllegalArgumentException unknown) {
                        throw error("unknown Unicode character name in string literal", offset);
                    }
                    i = close + 1;
                }
                default -> {
                    if (escape >= '0' && escape <= '7') {
                        int value = escape - '0';
                        for (int n = 0; n < 2 && i < body.length() && body.charAt(i) >= '0' && body.charAt(i) <= '7'; n++) {
                            value = value * 8 + body.charAt(i++) - '0';
                        }
                        out.appendCodePoint(value);
                    } else {
                        out.append('\\').append(escape);
                    }
                }
            }
        }
        return out.toString();
    }

    private static int hexValue(String text, int from, int length) {
        if (from + length > text.length()) {
            return -1;
        }
        int value = 0;
        for (int k = from; k < from + length; k++) {
            int digit = Character.digit(text.charAt(k), 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    private void lexOperator(Deque<Character> openBrackets) {
        for (String operator : OPERATORS) {
            if (!source.startsWith(operator, pos)) {
                continue;
            }
            switch (operator) {
                case "(" -> openBrackets.push(')');
                case "[" -> openBrackets.push(']');
                case "{" -> openBrackets.push('}');
                case ")", "]", "}" -> {
                    if (openBrackets.isEmpty()) {
                        throw error("unexpected '" + operator + "'", pos);
                    }
                    char expected = openBrackets.pop();
                    if (expected != operator.charAt(0)) {
                        throw error("unexpected '" + operator + "', expected '" + expected + "'", pos);
                    }
                }
                default -> { }
            }
            addToken(Token.Kind.OPERATOR, operator, null, pos);
            pos += operator.length();
            return;
        }
        throw error("unexpected char '" + source.charAt(pos) + "'", pos);
    }

    private void addToken(Token.Kind kind, String text, Object number, int offset) {
        tokens.add(new Token(kind, text, number, locate(offset)));
    }

    private Location locate(int offset) {
        int line = java.util.Arrays.binarySearch(lineStarts, offset);
        if (line < 0) {
            line = -line - 2;
        }
        return new Location(line + 1, offset - lineStarts[line] + 1);
    }

    private TemplateException error(String message, int offset) {
        Location location = locate(offset);
        return new TemplateException(message, location.line(), location.column());
    }
}
