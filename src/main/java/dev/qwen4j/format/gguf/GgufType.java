package dev.qwen4j.format.gguf;

/**
 * GGUF metadata value types (gguf_type), with the Java type each is read into: UINT8..INT32 → Integer,
 * UINT32/UINT64/INT64 → Long (UINT64 beyond Long.MAX_VALUE keeps its bits), FLOAT32 → Float, FLOAT64 →
 * Double, BOOL → Boolean, STRING → String, ARRAY → {@link GgufArray}.
 */
public enum GgufType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
    STRING(8, 8), ARRAY(9, 12), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private final int id;
    private final int minBytes;

    GgufType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    public int id() {
        return id;
    }

    /** The fewest bytes one value can take (a string's length prefix, an array's type and count). */
    int minBytes() {
        return minBytes;
    }

    public static GgufType of(int id) {
        for (GgufType t : values()) if (t.id == id) return t;
        return null;
    }
}
