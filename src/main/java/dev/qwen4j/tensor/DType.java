package dev.qwen4j.tensor;

import java.util.Locale;

/** Element types of stored tensors. Quantized block types join this enum as they are added. */
public enum DType {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The dtype named in a safetensors header ("F32", "BF16", ...), or null when it is not supported. */
    public static DType fromSafetensorsName(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "F32" -> F32;
            case "F16" -> F16;
            case "BF16" -> BF16;
            default -> null;
        };
    }
}
