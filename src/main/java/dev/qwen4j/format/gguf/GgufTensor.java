package dev.qwen4j.format.gguf;

import dev.qwen4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A tensor as a GGUF file lists it.
 *
 * @param ne        dimensions innermost first (ne[0] is the row length: the reverse of PyTorch's shape)
 * @param ggmlType  the ggml_type id as stored
 * @param dtype     the parsed type, or null when qwen4j does not support it
 * @param offset    byte offset within the data section
 * @param data      the bytes (empty when the type is unsupported and its size unknown)
 */
public record GgufTensor(String name, long[] ne, int ggmlType, DType dtype, long offset, MemorySegment data) {
    public long elementCount() {
        long n = 1;
        for (long d : ne) n *= d;
        return n;
    }

    /** The PyTorch-order shape: ne reversed. */
    public long[] shape() {
        long[] s = new long[ne.length];
        for (int i = 0; i < ne.length; i++) s[i] = ne[ne.length - 1 - i];
        return s;
    }

    /** The dtype's name, or for a type qwen4j cannot compute with, ggml's name for it and its id ("IQ3_S (ggml_type 21)"). */
    public String typeName() {
        if (dtype != null) return dtype.name();
        String known = ggmlType >= 0 && ggmlType < GGML_NAMES.length ? GGML_NAMES[ggmlType] : null;
        return known != null ? known + " (ggml_type " + ggmlType + ")" : "ggml_type " + ggmlType;
    }

    /** ggml's enum ggml_type by id (null: ids ggml has retired). */
    private static final String[] GGML_NAMES = {
        "F32", "F16", "Q4_0", "Q4_1", null, null, "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
        "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64",
        "F64", "IQ1_M", "BF16", null, null, null, "TQ1_0", "TQ2_0", null, null, null, "MXFP4"};

    @Override
    public String toString() {
        return name + " " + typeName() + " ne=" + Arrays.toString(ne);
    }
}
