package dev.qwen4j.format.gguf;

import dev.qwen4j.format.ModelFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Typed reads of GGUF metadata, with errors that name the file and the key. */
public final class GgufMetadata {
    private final Path file;
    private final Map<String, GgufValue> values;

    public GgufMetadata(Path file, Map<String, GgufValue> values) {
        this.file = file;
        this.values = values;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public GgufValue get(String key) {
        return values.get(key);
    }

    private GgufValue require(String key) {
        GgufValue v = values.get(key);
        if (v == null) throw error(key, "is required but missing");
        return v;
    }

    public String requireString(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufType.STRING) throw error(key, "must be a string, is " + v.type());
        return (String) v.value();
    }

    public String optString(String key, String dflt) {
        return has(key) ? requireString(key) : dflt;
    }

    public long requireLong(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof Integer || v.value() instanceof Long) return v.asLong();
        throw error(key, "must be an integer, is " + v.type());
    }

    public int requireInt(String key) {
        long v = requireLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw error(key, "value " + v + " is out of range");
        return (int) v;
    }

    public int optInt(String key, int dflt) {
        return has(key) ? requireInt(key) : dflt;
    }

    public double requireDouble(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof Number) return v.asDouble();
        throw error(key, "must be a number, is " + v.type());
    }

    public double optDouble(String key, double dflt) {
        return has(key) ? requireDouble(key) : dflt;
    }

    public boolean optBool(String key, boolean dflt) {
        if (!has(key)) return dflt;
        GgufValue v = values.get(key);
        if (v.type() != GgufType.BOOL) throw error(key, "must be a bool, is " + v.type());
        return (Boolean) v.value();
    }

    private GgufArray array(String key, GgufType element) {
        GgufValue v = require(key);
        if (v.type() != GgufType.ARRAY) throw error(key, "must be an array, is " + v.type());
        GgufArray a = (GgufArray) v.value();
        if (a.elementType() != element) throw error(key, "must be an array of " + element + ", holds " + a.elementType());
        return a;
    }

    @SuppressWarnings("unchecked")
    public List<String> requireStrings(String key) {
        return (List<String>) array(key, GgufType.STRING).values();
    }

    /** An array of any integer type, as ints. */
    public int[] requireInts(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufType.ARRAY) throw error(key, "must be an array, is " + v.type());
        GgufArray a = (GgufArray) v.value();
        List<?> xs = a.values();
        int[] out = new int[xs.size()];
        for (int i = 0; i < out.length; i++) {
            Object x = xs.get(i);
            if (x instanceof Integer n) out[i] = n;
            else if (x instanceof Long n && n == (int) (long) n) out[i] = (int) (long) n;
            else throw error(key, "must be an array of integers, holds " + a.elementType());
        }
        return out;
    }

    public List<String> keys() {
        return new ArrayList<>(values.keySet());
    }

    public ModelFormatException error(String key, String what) {
        return new ModelFormatException(file + ": GGUF metadata '" + key + "' " + what);
    }
}
