package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The Python object model as templates observe it: type names, truthiness, {@code str()} and
 * {@code repr()}, {@code len()}, iteration and {@code ==}. Values are plain Java objects: null is None,
 * {@link List} is list, {@link PyTuple} is tuple, {@link Map} is dict.
 */
final class PyValues {

    /** Returned by {@link #lookupKey} when the mapping has no such key (a stored value may be None). */
    static final Object NO_KEY = new Object();

    private PyValues() {}

    /** The Python type name used in error messages ({@code 'int' object is not iterable}). */
    static String typeName(Object value) {
        return switch (value) {
            case null -> "NoneType";
            case Boolean _ -> "bool";
            case String _ -> "str";
            case Markup _ -> "Markup";
            case PyIterator iterator -> iterator.typeName();
            case PyTuple _ -> "tuple";
            case List<?> _ -> "list";
            case Map<?, ?> _ -> "dict";
            case Undefined _ -> "Undefined";
            case Namespace _ -> "Namespace";
            case LoopContext _ -> "LoopContext";
            case Macro _ -> "Macro";
            case JinjaFunction _ -> "function";
            default -> PyNumbers.isInteger(value) ? "int"
                    : PyNumbers.isFloat(value) ? "float"
                    : value instanceof Collection<?> ? "list" : value.getClass().getSimpleName();
        };
    }

    static boolean isList(Object value) {
        return value instanceof List<?> && !(value instanceof PyTuple);
    }

    /** Python's truth value: None, False, zero, empty containers and Undefined are false. */
    static boolean truthy(Object value) {
        return switch (value) {
            case null -> false;
            case Boolean b -> b;
            case String s -> !s.isEmpty();
            case Markup m -> !m.text().isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined _ -> false;
            default -> !PyNumbers.isNumber(value) || PyNumbers.compare(value, 0L) != 0;
        };
    }

    /** Python's {@code str(value)}, which is what {@code {{ value }}} prints. */
    static String str(Object value) {
        return switch (value) {
            case null -> "None";
            case String s -> s;
            case Markup m -> m.text();
            case Undefined _ -> "";
            default -> repr(value);
        };
    }

    /** Python's {@code repr(value)}, used for the items of printed containers. */
    static String repr(Object value) {
        return switch (value) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case String s -> PyStrings.repr(s);
            case Markup m -> "Markup(" + PyStrings.repr(m.text()) + ")";
            case Undefined _ -> "Undefined";
            case PyTuple t -> t.size() == 1 ? "(" + repr(t.getFirst()) + ",)" : join("(", t, ")");
            case Collection<?> c -> join("[", c, "]");
            case Map<?, ?> m -> {
                StringJoiner items = new StringJoiner(", ", "{", "}");
                m.forEach((k, v) -> items.add(repr(k) + ": " + repr(v)));
                yield items.toString();
            }
            default -> PyNumbers.isFloat(value) ? PyFloatFormat.repr(PyNumbers.toDouble(value)) : value.toString();
        };
    }

    private static String join(String open, Collection<?> items, String close) {
        StringJoiner joined = new StringJoiner(", ", open, close);
        for (Object item : items) {
            joined.add(repr(item));
        }
        return joined.toString();
    }

    /** Python's {@code len(value)}; Undefined has length 0 as in jinja2. */
    static long length(Object value) {
        return switch (value) {
            case String s -> PyStrings.length(s);
            case Markup m -> PyStrings.length(m.text());
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            case Undefined _ -> 0;
            case null, default -> throw new TemplateException(
                    "object of type '" + typeName(value) + "' has no len()");
        };
    }

    /** The items {@code for x in value} visits: a string's characters, a dict's keys, nothing for Undefined. */
    static List<Object> iterate(Object value) {
        return switch (value) {
            case List<?> l -> new ArrayList<>(l);
            case PyIterator iterator -> iterator.drain();
            case Markup m -> iterate(m.text());
            case Collection<?> c -> new ArrayList<>(c);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> {
                List<Object> chars = new ArrayList<>(s.length());
                s.codePoints().forEach(cp -> chars.add(Character.toString(cp)));
                yield chars;
            }
            case Undefined _ -> new ArrayList<>();
            case Iterable<?> it -> {
                List<Object> items = new ArrayList<>();
                it.forEach(items::add);
                yield items;
            }
            case null, default -> throw new TemplateException("'" + typeName(value) + "' object is not iterable");
        };
    }

    /** Python's {@code a == b}: numbers by value across int/float/bool, containers element-wise. */
    static boolean equal(Object a, Object b) {
        a = Markup.plain(a);
        b = Markup.plain(b);
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (PyNumbers.isNumber(a) && PyNumbers.isNumber(b)) {
            return PyNumbers.numericEquals(a, b);
        }
        if (a instanceof String || b instanceof String) {
            return a.equals(b);
        }
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if ((a instanceof PyTuple) != (b instanceof PyTuple) || la.size() != lb.size()) {
                return false;
            }
            Iterator<?> ib = lb.iterator();
            for (Object item : la) {
                if (!equal(item, ib.next())) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> entry : ma.entrySet()) {
                Object other = lookupKey(mb, entry.getKey());
                if (other == NO_KEY || !equal(entry.getValue(), other)) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /**
     * {@code mapping[key]} with Python key equality, so an int key finds an entry stored under an equal
     * Integer or Double; returns {@link #NO_KEY} when absent.
     */
    static Object lookupKey(Map<?, ?> mapping, Object key) {
        key = Markup.plain(key);
        try {
            Object value = mapping.get(key);
            if (value != null || mapping.containsKey(key)) {
                return value;
            }
        } catch (ClassCastException | NullPointerException incompatibleKey) {
            // Sorted or null-hostile maps reject foreign key types; fall back to the equality scan.
        }
        if (key == null || PyNumbers.isNumber(key) || key instanceof List<?>) {
            for (Map.Entry<?, ?> entry : mapping.entrySet()) {
                if (equal(entry.getKey(), key)) {
                    return entry.getValue();
                }
            }
        }
        return NO_KEY;
    }
}
