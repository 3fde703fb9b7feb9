package dev.qwen4j.template.jinja;

import java.util.List;
import java.util.Map;

/**
 * Attribute and item access as jinja2's sandboxed environment performs them: {@code obj.name} tries
 * the Python attribute and then the item, {@code obj[key]} tries the item and then, for string keys,
 * the attribute. Anything missing becomes an {@link Undefined}; only accessing into an Undefined fails.
 */
final class ValueAccess {

    private ValueAccess() {}

    static Object attribute(Object target, String name) {
        if (target instanceof Undefined undefined) {
            throw undefined.misuse();
        }
        if (target instanceof HasAttributes holder) {
            return holder.attribute(name);
        }
        Object method = BuiltinMethods.lookup(target, name);
        if (method != null) {
            return method;
        }
        if (target instanceof Map<?, ?> map) {
            Object value = PyValues.lookupKey(map, name);
            if (value != PyValues.NO_KEY) {
                return value;
            }
        }
        return Undefined.attribute(target, name);
    }

    static Object item(Object target, Object key) {
        if (target instanceof Undefined undefined) {
            throw undefined.misuse();
        }
        if (key instanceof PySlice slice && (target instanceof String || target instanceof List<?>)) {
            return slice.apply(target);
        }
        Object value = switch (target) {
            case Map<?, ?> map -> PyValues.lookupKey(map, key);
            case List<?> list when PyNumbers.isIntegral(key) -> element(list, key);
            case String s when PyNumbers.isIntegral(key) && PyNumbers.fitsLong(key) -> {
                String character = PyStrings.charAt(s, PyNumbers.toLong(key));
                yield character == null ? PyValues.NO_KEY : character;
            }
            case null, default -> PyValues.NO_KEY;
        };
        if (value != PyValues.NO_KEY) {
            return value;
        }
        if (key instanceof String name) {
            if (target instanceof HasAttributes holder) {
                return holder.attribute(name);
            }
            Object method = BuiltinMethods.lookup(target, name);
            return method != null ? method : Undefined.attribute(target, name);
        }
        return Undefined.element(target, key);
    }

    private static Object element(List<?> list, Object key) {
        if (!PyNumbers.fitsLong(key)) {
            return PyValues.NO_KEY;
        }
        long index = PyNumbers.toLong(key);
        if (index < 0) {
            index += list.size();
        }
        return index >= 0 && index < list.size() ? list.get((int) index) : PyValues.NO_KEY;
    }
}
