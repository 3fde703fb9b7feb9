package dev.qwen4j.tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Typed access to a JSON tree read by {@link JsonScanner#readValue()}, failing with a {@link TokenizerException}
 * that names the file and the dotted path of the field.
 */
final class JsonFields {
    private final Path file;

    JsonFields(Path file) {
        this.file = file;
    }

    TokenizerException error(String field, String problem) {
        return new TokenizerException(file, field, problem);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> object(Object value, String path) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw error(path, "expected an object, found " + describe(value));
    }

    @SuppressWarnings("unchecked")
    List<Object> array(Object value, String path) {
        if (value instanceof List<?> list) {
            return (List<Object>) list;
        }
        throw error(path, "expected an array, found " + describe(value));
    }

    /** The field's value, or null when it is absent or JSON null. */
    Object optional(Map<String, Object> parent, String name) {
        return parent.get(name);
    }

    Object required(Map<String, Object> parent, String name, String path) {
        Object value = parent.get(name);
        if (value == null) {
            throw error(path, "missing");
        }
        return value;
    }

    String requiredString(Map<String, Object> parent, String name, String path) {
        return string(required(parent, name, path), path);
    }

    String optionalString(Map<String, Object> parent, String name, String path) {
        Object value = parent.get(name);
        return value == null ? null : string(value, path);
    }

    private String string(Object value, String path) {
        if (value instanceof String text) {
            return text;
        }
        throw error(path, "expected a string, found " + describe(value));
    }

    int requiredInt(Map<String, Object> parent, String name, String path) {
        Object value = required(parent, name, path);
        if (value instanceof Long number && number >= Integer.MIN_VALUE && number <= Integer.MAX_VALUE) {
            return number.intValue();
        }
        throw error(path, "expected an integer, found " + describe(value));
    }

    boolean optionalBoolean(Map<String, Object> parent, String name, String path, boolean defaultValue) {
        Object value = parent.get(name);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        throw error(path, "expected true or false, found " + describe(value));
    }

    /** A short description of a JSON value for error messages. */
    static String describe(Object value) {
        return switch (value) {
            case null -> "null";
            case String text -> "the string \"" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"";
            case Map<?, ?> map -> "an object";
            case List<?> list -> "an array";
            default -> value.toString();
        };
    }
}
