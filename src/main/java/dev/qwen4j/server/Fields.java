package dev.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed, range-checked access to request fields; every mistake becomes a 400 naming the field. */
final class Fields {
    private final JsonNode body;

    Fields(JsonNode body) {
        this.body = body;
    }

    JsonNode body() {
        return body;
    }

    /** The field, or null when absent or JSON null. */
    JsonNode get(String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    String string(String name) {
        JsonNode n = get(name);
        if (n == null) return null;
        if (!n.isTextual()) throw ApiException.invalid(name, "'" + name + "' must be a string");
        return n.asText();
    }

    Boolean bool(String name) {
        JsonNode n = get(name);
        if (n == null) return null;
        if (!n.isBoolean()) throw ApiException.invalid(name, "'" + name + "' must be a boolean");
        return n.asBoolean();
    }

    Long integer(String name, long min, long max) {
        JsonNode n = get(name);
        if (n == null) return null;
        if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble()))) {
            throw ApiException.invalid(name, "'" + name + "' must be an integer");
        }
        if (!n.canConvertToLong()) throw ApiException.invalid(name, "'" + name + "' is out of range");
        long v = n.asLong();
        if (v < min || v > max) throw ApiException.invalid(name, "'" + name + "' must be in [" + min + ", " + max + "] but was " + v);
        return v;
    }

    Double number(String name, double min, double max) {
        JsonNode n = get(name);
        if (n == null) return null;
        if (!n.isNumber()) throw ApiException.invalid(name, "'" + name + "' must be a number");
        double v = n.asDouble();
        if (!(v >= min && v <= max)) throw ApiException.invalid(name, "'" + name + "' must be in [" + min + ", " + max + "] but was " + v);
        return v;
    }
}
