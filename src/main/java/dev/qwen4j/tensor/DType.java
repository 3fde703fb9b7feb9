package dev.qwen4j.tensor;

import java.util.Locale;

/**
 * Element types of stored tensors. Plain types hold one value per element; the quantized types
 * (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS) hold blocks of {@link #blockSize()} values in {@link #blockBytes()} bytes,
 * byte-for-byte the layouts of llama.cpp's ggml (block_q8_0, block_q4_0, …, block_q6_K, block_iq4_nl, block_iq4_xs), so
 * GGUF files are used in place. {@link #ggmlType()} is the ggml_type id GGUF stores.
 */
public enum DType {
    F32(1, 4, 0),
    F16(1, 2, 1),
    BF16(1, 2, 30),
    /** 32 values: f16 scale d, 32 × int8; value = d·q. */
    Q8_0(32, 34, 8),
    /** 32 values: f16 scale d, 16 bytes of nibbles (low nibbles = values 0..15); value = d·(q − 8). */
    Q4_0(32, 18, 2),
    /** 32 values: f16 scale d, f16 min m, 16 bytes of nibbles; value = d·q + m. */
    Q4_1(32, 20, 3),
    /** 32 values: f16 scale d, 32 fifth bits, 16 bytes of nibbles; value = d·(q − 16). */
    Q5_0(32, 22, 6),
    /** 32 values: f16 d, f16 m, 32 fifth bits, 16 bytes of nibbles; value = d·q + m. */
    Q5_1(32, 24, 7),
    /** 256 values in 16 sub-blocks of 16: 16 scale/min nibble pairs, 64 bytes of 2-bit values, f16 d, f16 dmin. */
    Q2_K(256, 84, 10),
    /** 256 values in 16 sub-blocks of 16: 32 bytes of high bits, 64 bytes of 2-bit values, 12 bytes of 6-bit scales, f16 d. */
    Q3_K(256, 110, 11),
    /** 256 values in 8 sub-blocks of 32: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles. */
    Q4_K(256, 144, 12),
    /** Q4_K's layout plus 32 bytes of fifth bits: f16 d, f16 dmin, 12 scale bytes, 32 high-bit bytes, 128 nibble bytes. */
    Q5_K(256, 176, 13),
    /** 256 values in 16 sub-blocks of 16: 128 bytes low 4 bits, 64 bytes high 2 bits, 16 int8 scales, f16 d. */
    Q6_K(256, 210, 14),
    /** 32 values: f16 d, 16 bytes of nibbles that index 16 non-uniform levels; value = d·level. */
    IQ4_NL(32, 18, 20),
    /** 256 values in 8 sub-blocks of 32: f16 d, 8 six-bit scales (16 high bits, 4 bytes of nibbles), 128 bytes of IQ4_NL nibbles. */
    IQ4_XS(256, 136, 23);

    private final int blockSize;
    private final int blockBytes;
    private final int ggmlType;

    DType(int blockSize, int blockBytes, int ggmlType) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.ggmlType = ggmlType;
    }

    /**
     * Bytes per element of a plain type. Block types have no whole byte count per element, so asking
     * for one is a bug in the caller (use {@link #byteSize}).
     */
    public int bytes() {
        if (blockSize != 1) throw new UnsupportedOperationException(this + " is a block type: use byteSize()");
        return blockBytes;
    }

    /** Values per block (1 for plain types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block (the element size for plain types). */
    public int blockBytes() {
        return blockBytes;
    }

    public boolean isQuantized() {
        return blockSize != 1;
    }

    /** The ggml_type id used in GGUF tensor infos. */
    public int ggmlType() {
        return ggmlType;
    }

    /** Bytes that hold {@code elements} values; elements must be a multiple of the block size. */
    public long byteSize(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(elements + " values do not fill whole " + this + " blocks of " + blockSize);
        }
        return elements / blockSize * blockBytes;
    }

    /** The dtype with this ggml_type id, or null when qwen4j does not support it. */
    public static DType fromGgmlType(int id) {
        for (DType t : values()) if (t.ggmlType == id) return t;
        return null;
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

    /** Parses a name such as "q4_k" or "BF16" (any case), or returns null. */
    public static DType parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
