package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Python's printf-style {@code format % values}, used by the {@code %} operator on strings and by the
 * {@code format} filter: {@code %s %r %d %i %x %o %e %f %g %c %%} with flags, width, precision and
 * {@code %(name)s} keys.
 */
final class PercentFormat {

    private final String format;
    /** True for {@code Markup % values}: string conversions of non-Markup values are HTML-escaped. */
    private final boolean escapeArguments;
    private final List<?> positional;
    private final Map<?, ?> mapping;
    private int position;
    private int nextArgument;

    private PercentFormat(String format, Object values, boolean escapeArguments) {
        this.format = format;
        this.escapeArguments = escapeArguments;
        if (values instanceof PyTuple tuple) {
            this.positional = tuple;
            this.mapping = null;
        } else {
            this.positional = Collections.singletonList(values);
            this.mapping = values instanceof Map<?, ?> map ? map : null;
        }
    }

    static String format(String format, Object values, boolean escapeArguments) {
        return new PercentFormat(format, values, escapeArguments).run();
    }

    private String run() {
        StringBuilder out = new StringBuilder();
        while (position < format.length()) {
            char c = format.charAt(position++);
            if (c != '%') {
                out.append(c);
                continue;
            }
            out.append(conversion());
        }
        if (mapping == null && nextArgument < positional.size()) {
            throw new TemplateException("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private String conversion() {
        String key = null;
        if (peek() == '(') {
            int depth = 1;
            int start = ++position;
            while (position < format.length() && depth > 0) {
                char c = format.charAt(position++);
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            }
            if (depth > 0) {
                throw new TemplateException("incomplete format key");
            }
            key = format.substring(start, position - 1);
        }
        boolean leftAlign = false;
        boolean zeroPad = false;
        boolean alternate = false;
        String positiveSign = "";
        for (char c = peek(); "-+ #0".indexOf(c) >= 0 && c != 0; c = peek()) {
            position++;
            switch (c) {
                case '-' -> leftAlign = true;
                case '0' -> zeroPad = true;
                case '#' -> alternate = true;
                case '+' -> positiveSign = "+";
                default -> positiveSign = positiveSign.equals("+") ? "+" : " ";
            }
        }
        int width = readCount();
        int precision = -1;
        if (peek() == '.') {
            position++;
            precision = Math.max(0, readCount());
        }
        while ("hlL".indexOf(peek()) >= 0 && peek() != 0) {
            position++;
        }
        if (position >= format.length()) {
            throw new TemplateException("incomplete format");
        }
        char type = format.charAt(position++);
        if (type == '%') {
            return "%";
        }
        Object value = key != null ? mappedValue(key) : nextValue();
        if (type != 's' && type != 'r' && type != 'a') {
            value = Markup.plain(value);
        }
        Formatted formatted = convert(type, value, precision, alternate, positiveSign);
        int padding = Math.max(0, width - PyStrings.length(formatted.sign + formatted.body));
        if (leftAlign) {
            return formatted.sign + formatted.body + " ".repeat(padding);
        }
        if (zeroPad && formatted.numeric) {
            return formatted.sign + "0".repeat(padding) + formatted.body;
        }
        return " ".repeat(padding) + formatted.sign + formatted.body;
    }

    /** A converted value split into sign/prefix and digits, so zero padding can go between them. */
    private record Formatted(String sign, String body, boolean numeric) {}

    private Formatted convert(char type, Object value, int precision, boolean alternate, String positiveSign) {
        return switch (type) {
            case 's', 'r', 'a' -> {
                String text = type == 's' ? PyValues.str(value) : PyValues.repr(value);
                if (escapeArguments && (type != 's' || !(value instanceof Markup))) {
                    text = Markup.escapeText(text);
                }
                if (precision >= 0 && precision < PyStrings.length(text)) {
                    text = PyStrings.fromCodePoints(PyStrings.codePoints(text), 0, precision);
                }
                yield new Formatted("", text, false);
            }
            case 'd', 'i', 'u' -> {
                BigInteger number = integerValue(value, type, true);
                String digits = number.abs().toString();
                if (precision > digits.length()) {
                    digits = "0".repeat(precision - digits.length()) + digits;
                }
                yield new Formatted(sign(number.signum() < 0, positiveSign), digits, true);
            }
            case 'x', 'X', 'o' -> {
                BigInteger number = integerValue(value, type, false);
                String digits = number.abs().toString(type == 'o' ? 8 : 16);
                if (type == 'X') {
                    digits = digits.toUpperCase();
                }
                if (precision > digits.length()) {
                    digits = "0".repeat(precision - digits.length()) + digits;
                }
                String prefix = !alternate ? "" : type == 'o' ? "0o" : type == 'x' ? "0x" : "0X";
                yield new Formatted(sign(number.signum() < 0, positiveSign) + prefix, digits, true);
            }
            case 'e', 'E', 'f', 'F', 'g', 'G' -> {
                double number = floatValue(value, type);
                String sign = sign(number < 0 || (number == 0 && 1 / number < 0), positiveSign);
                if (!Double.isFinite(number)) {
                    String text = Double.isNaN(number) ? "nan" : "inf";
                    yield new Formatted(sign, Character.isUpperCase(type) ? text.toUpperCase() : text, false);
                }
                String body = formatFloat(Math.abs(number), Character.toLowerCase(type),
                        precision < 0 ? 6 : precision, alternate);
                yield new Formatted(sign, Character.isUpperCase(type) ? body.toUpperCase() : body, true);
            }
            case 'c' -> {
                if (value instanceof String s && PyStrings.length(s) == 1) {
                    yield new Formatted("", s, false);
                }
                yield new Formatted("", Character.toString(integerValue(value, type, false).intValueExact()), false);
            }
            default -> throw new TemplateException("unsupported format character '" + type + "'");
        };
    }

    private static String sign(boolean negative, String positiveSign) {
        return negative ? "-" : positiveSign;
    }

    private static String formatFloat(double magnitude, char type, int precision, boolean alternate) {
        BigDecimal exact = new BigDecimal(magnitude);
        return switch (type) {
            case 'f' -> fixed(exact, precision, alternate);
            case 'e' -> scientific(exact, precision, alternate);
            default -> {
                int significant = precision == 0 ? 1 : precision;
                int exponent = magnitude == 0 ? 0 : decimalExponent(exact.round(new MathContext(significant,
                        RoundingMode.HALF_EVEN)));
                String text = exponent >= -4 && exponent < significant
                        ? fixed(exact, significant - 1 - exponent, alternate)
                        : scientific(exact, significant - 1, alternate);
                yield alternate ? text : stripFractionZeros(text);
            }
        };
    }

    private static String fixed(BigDecimal exact, int precision, boolean alternate) {
        String text = exact.setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
        return alternate && precision == 0 ? text + "." : text;
    }

    private static String scientific(BigDecimal exact, int precision, boolean alternate) {
        String digits;
        int exponent;
        if (exact.signum() == 0) {
            digits = "0".repeat(precision + 1);
            exponent = 0;
        } else {
            BigDecimal rounded = exact.round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
            exponent = decimalExponent(rounded);
            digits = rounded.unscaledValue().toString();
            digits = digits.length() > precision + 1 ? digits.substring(0, precision + 1)
                    : digits + "0".repeat(precision + 1 - digits.length());
        }
        String mantissa = digits.substring(0, 1)
                + (precision > 0 || alternate ? "." : "") + digits.substring(1);
        String exponentDigits = Integer.toString(Math.abs(exponent));
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + (exponentDigits.length() < 2 ? "0" : "")
                + exponentDigits;
    }

    private static int decimalExponent(BigDecimal nonZero) {
        return nonZero.precision() - nonZero.scale() - 1;
    }

    /** %g drops trailing fractional zeros (and a bare point) from the mantissa. */
    private static String stripFractionZeros(String text) {
        int e = text.indexOf('e');
        String mantissa = e < 0 ? text : text.substring(0, e);
        String exponent = e < 0 ? "" : text.substring(e);
        if (mantissa.indexOf('.') >= 0) {
            mantissa = mantissa.replaceAll("0+$", "");
            if (mantissa.endsWith(".")) {
                mantissa = mantissa.substring(0, mantissa.length() - 1);
            }
        }
        return mantissa + exponent;
    }

    private static BigInteger integerValue(Object value, char type, boolean acceptFloat) {
        if (PyNumbers.isIntegral(value)) {
            return PyNumbers.toBigInteger(value);
        }
        if (acceptFloat && PyNumbers.isFloat(value)) {
            Object truncated = PyNumbers.truncate(PyNumbers.toDouble(value));
            return PyNumbers.toBigInteger(truncated);
        }
        throw new TemplateException("%" + type + " format: " + (acceptFloat ? "a real number" : "an integer")
                + " is required, not " + PyValues.typeName(value));
    }

    private static double floatValue(Object value, char type) {
        if (PyNumbers.isNumber(value)) {
            return PyNumbers.toDouble(value);
        }
        throw new TemplateException("%" + type + " format: a real number is required, not "
                + PyValues.typeName(value));
    }

    private Object nextValue() {
        if (nextArgument >= positional.size()) {
            throw new TemplateException("not enough arguments for format string");
        }
        return positional.get(nextArgument++);
    }

    private Object mappedValue(String key) {
        if (mapping == null) {
            throw new TemplateException("format requires a mapping");
        }
        Object value = PyValues.lookupKey(mapping, key);
        if (value == PyValues.NO_KEY) {
            throw new TemplateException("KeyError: " + PyStrings.repr(key));
        }
        return value;
    }

    /** A width or precision: digits, or {@code *} to take it from the next argument. */
    private int readCount() {
        if (peek() == '*') {
            position++;
            return (int) BuiltinMethods.integer(nextValue(), "format");
        }
        int start = position;
        while (position < format.length() && Character.isDigit(format.charAt(position))) {
            position++;
        }
        return start == position ? -1 : Integer.parseInt(format.substring(start, position));
    }

    private char peek() {
        return position < format.length() ? format.charAt(position) : 0;
    }
}
