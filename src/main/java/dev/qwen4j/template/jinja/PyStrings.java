package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python {@code str} algorithms on Java strings. Python indexes strings by code point while Java uses
 * UTF-16 units, so everything that counts, slices or searches works in code points here.
 */
final class PyStrings {

    private PyStrings() {}

    /** Python's {@code str.isspace()} for one code point (also what {@code \s} matches in {@code re}). */
    static boolean isSpace(int cp) {
        return switch (cp) {
            case '\t', '\n', 0x0b, 0x0c, '\r', 0x1c, 0x1d, 0x1e, 0x1f, ' ', 0x85, 0xa0, 0x1680, 0x2028, 0x2029,
                    0x202f, 0x205f, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200a;
        };
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    static int[] codePoints(String s) {
        return s.codePoints().toArray();
    }

    static String fromCodePoints(int[] cps, int from, int to) {
        return new String(cps, from, to - from);
    }

    /** {@code s[index]} with Python's negative indexing; null when out of range. */
    static String charAt(String s, long index) {
        int[] cps = codePoints(s);
        long i = index < 0 ? index + cps.length : index;
        if (i < 0 || i >= cps.length) {
            return null;
        }
        return new String(cps, (int) i, 1);
    }

    /** {@code str.strip/lstrip/rstrip(chars)}; {@code chars == null} strips whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int[] cps = codePoints(s);
        int[] strip = chars == null ? null : codePoints(chars);
        int start = 0;
        int end = cps.length;
        if (left) {
            while (start < end && strippable(cps[start], strip)) {
                start++;
            }
        }
        if (right) {
            while (end > start && strippable(cps[end - 1], strip)) {
                end--;
            }
        }
        return fromCodePoints(cps, start, end);
    }

    private static boolean strippable(int cp, int[] chars) {
        if (chars == null) {
            return isSpace(cp);
        }
        for (int c : chars) {
            if (c == cp) {
                return true;
            }
        }
        return false;
    }

    /** {@code str.split(sep, maxsplit)}: a literal separator, or runs of whitespace when sep is null. */
    static List<String> split(String s, String sep, long maxSplit) {
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int[] cps = codePoints(s);
            int i = 0;
            long splits = 0;
            while (true) {
                while (i < cps.length && isSpace(cps[i])) {
                    i++;
                }
                if (i >= cps.length) {
                    break;
                }
                if (maxSplit >= 0 && splits >= maxSplit) {
                    int end = cps.length;
                    while (end > i && isSpace(cps[end - 1])) {
                        end--;
                    }
                    parts.add(fromCodePoints(cps, i, end));
                    break;
                }
                int start = i;
                while (i < cps.length && !isSpace(cps[i])) {
                    i++;
                }
                parts.add(fromCodePoints(cps, start, i));
                splits++;
            }
            return parts;
        }
        requireNonEmptySeparator(sep);
        int from = 0;
        long splits = 0;
        while (maxSplit < 0 || splits < maxSplit) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            parts.add(s.substring(from, at));
            from = at + sep.length();
            splits++;
        }
        parts.add(s.substring(from));
        return parts;
    }

    /** {@code str.rsplit(sep, maxsplit)}: like split, but the splits are counted from the right. */
    static List<String> rsplit(String s, String sep, long maxSplit) {
        if (maxSplit < 0) {
            return split(s, sep, maxSplit);
        }
        List<String> reversed = new ArrayList<>();
        if (sep == null) {
            int[] cps = codePoints(s);
            int i = cps.length;
            long splits = 0;
            while (true) {
                while (i > 0 && isSpace(cps[i - 1])) {
                    i--;
                }
                if (i == 0) {
                    break;
                }
                if (splits >= maxSplit) {
                    int start = 0;
                    while (start < i && isSpace(cps[start])) {
                        start++;
                    }
                    reversed.add(fromCodePoints(cps, start, i));
                    break;
                }
                int end = i;
                while (i > 0 && !isSpace(cps[i - 1])) {
                    i--;
                }
                reversed.add(fromCodePoints(cps, i, end));
                splits++;
            }
        } else {
            requireNonEmptySeparator(sep);
            int end = s.length();
            long splits = 0;
            while (splits < maxSplit) {
                int at = s.lastIndexOf(sep, end - sep.length());
                if (at < 0) {
                    break;
                }
                reversed.add(s.substring(at + sep.length(), end));
                end = at;
                splits++;
            }
            reversed.add(s.substring(0, end));
        }
        return reversed.reversed();
    }

    private static void requireNonEmptySeparator(String sep) {
        if (sep.isEmpty()) {
            throw new TemplateException("empty separator");
        }
    }

    /** {@code str.splitlines(keepends)}: every line boundary Python recognises, {@code \r\n} as one. */
    static List<String> splitLines(String s, boolean keepEnds) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int breakLength = 0;
            if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                breakLength = 2;
            } else if (isLineBreak(c)) {
                breakLength = 1;
            }
            if (breakLength == 0) {
                i++;
                continue;
            }
            lines.add(s.substring(start, keepEnds ? i + breakLength : i));
            i += breakLength;
            start = i;
        }
        if (start < s.length()) {
            lines.add(s.substring(start));
        }
        return lines;
    }

    private static boolean isLineBreak(char c) {
        return switch (c) {
            case '\n', '\r', 0x0b, 0x0c, 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029 -> true;
            default -> false;
        };
    }

    /** {@code str.replace(old, new, count)}, including Python's rule for an empty {@code old}. */
    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            count = Long.MAX_VALUE;
        }
        StringBuilder out = new StringBuilder();
        if (old.isEmpty()) {
            int[] cps = codePoints(s);
            long done = 0;
            for (int cp : cps) {
                if (done < count) {
                    out.append(replacement);
                    done++;
                }
                out.appendCodePoint(cp);
            }
            if (done < count) {
                out.append(replacement);
            }
            return out.toString();
        }
        int from = 0;
        long done = 0;
        while (done < count) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(s, from, at).append(replacement);
            from = at + old.length();
            done++;
        }
        return out.append(s, from, s.length()).toString();
    }

    /** {@code str.find(sub)} / {@code str.rfind(sub)} as a code point index, or -1. */
    static long find(String s, String sub, boolean fromRight) {
        int at = fromRight ? s.lastIndexOf(sub) : s.indexOf(sub);
        return at < 0 ? -1 : s.codePointCount(0, at);
    }

    /** {@code str.count(sub)}: non-overlapping occurrences; an empty sub matches between every code point. */
    static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return length(s) + 1L;
        }
        long n = 0;
        int from = 0;
        while (true) {
            int at = s.indexOf(sub, from);
            if (at < 0) {
                return n;
            }
            n++;
            from = at + sub.length();
        }
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** {@code str.capitalize()}: first code point title-cased, the rest lower-cased. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        int rest = Character.charCount(first);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(first))
                .append(lower(s.substring(rest))).toString();
    }

    /** {@code str.title()}: a cased letter is title-cased after an uncased character, lower-cased otherwise. */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int cp : codePoints(s)) {
            if (previousCased) {
                out.append(lower(Character.toString(cp)));
            } else {
                out.appendCodePoint(Character.toTitleCase(cp));
            }
            previousCased = isCased(cp);
        }
        return out.toString();
    }

    static boolean isCased(int cp) {
        return Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
    }

    /** Python's {@code str.isprintable()} for one code point, which decides escaping in {@code repr}. */
    static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Python's {@code repr(str)}: single quotes unless only double quotes avoid escaping. */
    static String repr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
        s.codePoints().forEach(cp -> {
            if (cp == quote || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (cp == '\t') {
                out.append("\\t");
            } else if (cp == '\n') {
                out.append("\\n");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (cp < 0x20 || cp == 0x7f) {
                out.append(String.format("\\x%02x", cp));
            } else if (cp < 0x7f || isPrintable(cp)) {
                out.appendCodePoint(cp);
            } else if (cp <= 0xff) {
                out.append(String.format("\\x%02x", cp));
            } else if (cp <= 0xffff) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.append(String.format("\\U%08x", cp));
            }
        });
        return out.append(quote).toString();
    }

    /** Compares by code point, as Python orders strings (Java's compareTo orders UTF-16 units). */
    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
