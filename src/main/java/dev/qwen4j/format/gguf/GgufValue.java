package dev.qwen4j.format.gguf;

import java.util.List;
import java.util.Objects;

/** One typed GGUF metadata value (see {@link GgufType} for the Java form of each type). */
public record GgufValue(GgufType type, Object value) {
    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        boolean ok = switch (type) {
            case UINT8, INT8, UINT16, INT16, INT32 -> value instanceof Integer;
            case UINT32, UINT64, INT64 -> value instanceof Long;
            case FLOAT32 -> value instanceof Float;
            case FLOAT64 -> value instanceof Double;
            case BOOL -> value instanceof Boolean;
            case STRING -> value instanceof String;
            case ARRAY -> value instanceof GgufArray;
        };
        if (!ok) throw new IllegalArgumentException(type + " value cannot be a " + value.getClass().getSimpleName());
    }

    public static GgufValue string(String s) { return new GgufValue(GgufType.STRING, s); }
    public static GgufValue uint32(long v) { return new GgufValue(GgufType.UINT32, v); }
    public static GgufValue int32(int v) { return new GgufValue(GgufType.INT32, v); }
    public static GgufValue float32(float v) { return new GgufValue(GgufType.FLOAT32, v); }
    public static GgufValue bool(boolean v) { return new GgufValue(GgufType.BOOL, v); }

    public static GgufValue strings(List<String> v) {
        return new GgufValue(GgufType.ARRAY, new GgufArray(GgufType.STRING, v));
    }

    public static GgufValue int32s(int[] v) {
        return new GgufValue(GgufType.ARRAY, new GgufArray(GgufType.INT32, java.util.Arrays.stream(v).boxed().toList()));
    }

    /** The value as a long when it is any integer type. */
    public long asLong() {
        if (value instanceof Integer i) return i;
        if (value instanceof Long l) return l;
        throw new IllegalStateException(type + " is not an integer");
    }

    /** The value as a double when it is any number type. */
    public double asDouble() {
        if (value instanceof Number n) return n.doubleValue();
        throw new IllegalStateException(type + " is not a number");
    }
}
