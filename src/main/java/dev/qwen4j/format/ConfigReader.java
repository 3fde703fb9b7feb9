package dev.qwen4j.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed access to a config.json object (or a nested part of it, like `text_config`), with errors that
 * name the file and the key.
 */
public final class ConfigReader {
    private final Path file;
    private final String prefix;
    private final JsonNode node;

    public ConfigReader(Path file, JsonNode node) {
        this(file, "", node);
    }

    private ConfigReader(Path file, String prefix, JsonNode node) {
        this.file = file;
        this.prefix = prefix;
        this.node = node;
    }

    public static ConfigReader of(Path file) {
        JsonNode n = Json.read(file);
        if (!n.isObject()) throw new ModelFormatException(file + ": expected a JSON object");
        return new ConfigReader(file, n);
    }

    public Path file() {
        return file;
    }

    public JsonNode node() {
        return node;
    }

    public boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    /** A nested object, or null when absent. */
    public ConfigReader child(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isObject()) throw error(key, "must be an object");
        return new ConfigReader(file, prefix + key + ".", v);
    }

    public int requireInt(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) throw error(key, "is required but missing");
        if (!v.canConvertToInt() || !v.isIntegralNumber()) throw error(key, "must be an integer, got " + v);
        return v.asInt();
    }

    public int optInt(String key, int dflt) {
        return has(key) ? requireInt(key) : dflt;
    }

    public double requireDouble(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) throw error(key, "is required but missing");
        if (!v.isNumber()) throw error(key, "must be a number, got " + v);
        return v.asDouble();
    }

    public double optDouble(String key, double dflt) {
        return has(key) ? requireDouble(key) : dflt;
    }

    public boolean optBool(String key, boolean dflt) {
        if (!has(key)) return dflt;
        JsonNode v = node.get(key);
        if (!v.isBoolean()) throw error(key, "must be true or false, got " + v);
        return v.asBoolean();
    }

    public String optString(String key, String dflt) {
        return has(key) ? node.get(key).asText() : dflt;
    }

    public String requireString(String key) {
        if (!has(key)) throw error(key, "is required but missing");
        return node.get(key).asText();
    }

    public int[] optIntArray(String key, int[] dflt) {
        if (!has(key)) return dflt;
        JsonNode v = node.get(key);
        if (v.isIntegralNumber()) return new int[] {v.asInt()};
        if (!v.isArray()) throw error(key, "must be an array of integers, got " + v);
        List<Integer> out = new ArrayList<>();
        for (JsonNode x : v) {
            if (!x.isIntegralNumber()) throw error(key, "must be an array of integers, got " + v);
            out.add(x.asInt());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    public ModelFormatException error(String key, String what) {
        return new ModelFormatException(file + ": '" + prefix + key + "' " + what);
    }
}
