package dev.qwen4j.template;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * Python's {@code datetime.now().strftime(format)} as transformers' {@code strftime_now} global calls it
 * (Llama-style templates print today's date). The time is naive local time, so {@code %Z} and {@code %z}
 * are empty; directives follow glibc in the C locale, including the {@code -} (no padding) and
 * {@code _} (space padding) flags, and unknown directives are copied through unchanged.
 */
final class StrftimeFormat {

    private StrftimeFormat() {}

    static String format(String format, LocalDateTime time) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i++);
            if (c != '%' || i >= format.length()) {
                out.append(c);
                continue;
            }
            char padding = 0;
            int directiveStart = i - 1;
            if (format.charAt(i) == '-' || format.charAt(i) == '_' || format.charAt(i) == '0') {
                padding = format.charAt(i++);
                if (i >= format.length()) {
                    out.append(format, directiveStart, i);
                    break;
                }
            }
            char directive = format.charAt(i++);
            String expansion = expand(directive, padding, time);
            out.append(expansion != null ? expansion : format.substring(directiveStart, i));
        }
        return out.toString();
    }

    private static String expand(char directive, char padding, LocalDateTime time) {
        return switch (directive) {
            case 'a' -> time.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A' -> time.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'b', 'h' -> time.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> time.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'C' -> number(time.getYear() / 100, 2, '0', padding);
            case 'd' -> number(time.getDayOfMonth(), 2, '0', padding);
            case 'e' -> number(time.getDayOfMonth(), 2, ' ', padding);
            case 'H' -> number(time.getHour(), 2, '0', padding);
            case 'I' -> number((time.getHour() + 11) % 12 + 1, 2, '0', padding);
            case 'j' -> number(time.getDayOfYear(), 3, '0', padding);
            case 'm' -> number(time.getMonthValue(), 2, '0', padding);
            case 'M' -> number(time.getMinute(), 2, '0', padding);
            case 'S' -> number(time.getSecond(), 2, '0', padding);
            case 'y' -> number(time.getYear() % 100, 2, '0', padding);
            case 'Y' -> Integer.toString(time.getYear());
            case 'p' -> time.getHour() < 12 ? "AM" : "PM";
            case 'u' -> Integer.toString(time.getDayOfWeek().getValue());
            case 'w' -> Integer.toString(time.getDayOfWeek().getValue() % 7);
            case 'F' -> format("%Y-%m-%d", time);
            case 'T', 'X' -> format("%H:%M:%S", time);
            case 'D', 'x' -> format("%m/%d/%y", time);
            case 'R' -> format("%H:%M", time);
            case 'c' -> format("%a %b %e %H:%M:%S %Y", time);
            case 'n' -> "\n";
            case 't' -> "\t";
            case 'Z', 'z' -> "";
            case '%' -> "%";
            default -> null;
        };
    }

    private static String number(int value, int width, char defaultPad, char flag) {
        String digits = Integer.toString(value);
        char pad = switch (flag) {
            case '-' -> 0;
            case '_' -> ' ';
            case '0' -> '0';
            default -> defaultPad;
        };
        if (pad == 0 || digits.length() >= width) {
            return digits;
        }
        return String.valueOf(pad).repeat(width - digits.length()) + digits;
    }
}
