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

    public String typeName() {
        return dtype != null ? dtype.name() : "ggml_type " + ggmlType;
    }

    @Override
    public String toString() {
        return name + " " + typeName() + " ne=" + Arrays.toString(ne);
    }
}
