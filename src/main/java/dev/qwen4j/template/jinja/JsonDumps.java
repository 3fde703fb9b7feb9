package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps}, which is what transformers' {@code tojson} filter calls: keys in
 * insertion order unless sorted, {@code ", "}/{@code ": "} separators by default ({@code ","} when
 * indenting), floats as Python's repr, and non-ASCII kept as-is unless {@code ensure_ascii}.
 */
final class JsonDumps {

    /**
     * @param indent        null for single-line output, otherwise the string repeated per nesting level
     * @param itemSeparator null for Python's default, which depends on whether indent is set
     * @param keySeparator  null for Python's default {@code ": "}
     */
    record Options(boolean ensureAscii, String indent, String itemSeparator, String keySeparator, boolean sortKeys) {

        static final Options TRANSFORMERS_DEFAULT = new Options(false, null, null, null, false);
    }

    private final Options options;
    private final String itemSeparator;
    private final String keySeparator;
    private final StringBuilder out = new StringBuilder();

    private JsonDumps(Options options) {
        this.options = options;
        this.itemSeparator = options.itemSeparator() != null ? options.itemSeparator()
                : options.indent() != null ? "," : ", ";
        this.keySeparator = options.keySeparator() != null ? options.keySeparator() : ": ";
    }

    static String dumps(Object value, Options options) {
        JsonDumps encoder = new JsonDumps(options);
        encoder.write(value, 0);
        return encoder.out.toString();
    }

    private void write(Object value, int depth) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case String s -> writeString(s);
            case Markup m -> writeString(m.text());
            case Map<?, ?> map -> writeObject(map, depth);
            case Collection<?> items -> writeArray(items, depth);
            default -> {
                if (PyNumbers.isInteger(value)) {
                    out.append(value);
                } else if (PyNumbers.isFloat(value)) {
                    out.append(floatText(PyNumbers.toDouble(value)));
                } else {
                    throw new TemplateException("Object of type " + PyValues.typeName(value)
                            + " is not JSON serializable");
                }
            }
        }
    }

    private static String floatText(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        return PyFloatFormat.repr(value);
    }

    private void writeArray(Collection<?> items, int depth) {
        if (items.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        boolean first = true;
        for (Object item : items) {
            separate(first, depth + 1);
            write(item, depth + 1);
            first = false;
        }
        closeLine(depth);
        out.append(']');
    }

    private void writeObject(Map<?, ?> map, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
        if (options.sortKeys()) {
            entries.sort((a, b) -> PyOperators.ordering("<", a.getKey(), b.getKey()));
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : entries) {
            separate(first, depth + 1);
            writeString(keyText(entry.getKey()));
            out.append(keySeparator);
            write(entry.getValue(), depth + 1);
            first = false;
        }
        closeLine(depth);
        out.append('}');
    }

    /** JSON object keys must be strings; Python converts numbers, bools and None and rejects the rest. */
    private static String keyText(Object key) {
        return switch (key) {
            case String s -> s;
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            default -> {
                if (PyNumbers.isInteger(key)) {
                    yield key.toString();
                }
                if (PyNumbers.isFloat(key)) {
                    yield floatText(PyNumbers.toDouble(key));
                }
                throw new TemplateException("keys must be str, int, float, bool or None, not "
                        + PyValues.typeName(key));
            }
        };
    }

    private void separate(boolean first, int depth) {
        if (!first) {
            out.append(itemSeparator);
        }
        if (options.indent() != null) {
            out.append('\n').append(options.indent().repeat(depth));
        }
    }

    private void closeLine(int depth) {
        if (options.indent() != null) {
            out.append('\n').append(options.indent().repeat(depth));
        }
    }

    private void writeString(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || options.ensureAscii() && c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
