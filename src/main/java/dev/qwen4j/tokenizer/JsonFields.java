package dev.qwen4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Typed access to fields of a parsed JSON tree, failing with a {@link TokenizerException} that names the field. */
final class JsonFields {
    private final Path file;

    JsonFields(Path file) {
        this.file = file;
    }

    TokenizerException error(String field, String problem) {
        return new TokenizerException(file, field, problem);
    }

    /** The field's value, or null when it is absent or JSON null. */
    JsonNode optional(JsonNode parent, String name) {
        JsonNode value = parent.get(name);
        return value == null || value.isNull() ? null : value;
    }

    JsonNode required(JsonNode parent, String name, String path) {
        JsonNode value = optional(parent, name);
        if (value == null) {
            throw error(path, "missing");
        }
        return value;
    }

    String requiredString(JsonNode parent, String name, String path) {
        JsonNode value = required(parent, name, path);
        if (!value.isTextual()) {
            throw error(path, "expected a string, found " + value.getNodeType());
        }
        return value.textValue();
    }

    String optionalString(JsonNode parent, String name, String path) {
        JsonNode value = optional(parent, name);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw error(path, "expected a string, found " + value.getNodeType());
        }
        return value.textValue();
    }

    int requiredInt(JsonNode parent, String name, String path) {
        JsonNode value = required(parent, name, path);
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw error(path, "expected an integer, found " + value);
        }
        return value.intValue();
    }

    boolean optionalBoolean(JsonNode parent, String name, String path, boolean defaultValue) {
        JsonNode value = optional(parent, name);
        if (value == null) {
            return defaultValue;
        }
        if (!value.isBoolean()) {
            throw error(path, "expected true or false, found " + value);
        }
        return value.booleanValue();
    }
}
