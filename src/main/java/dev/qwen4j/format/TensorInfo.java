package dev.qwen4j.format;

import dev.qwen4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One stored tensor: its name, element type, shape and the bytes that hold it.
 *
 * @param dtypeName the dtype as the file spells it (kept so an unsupported one can be reported)
 * @param dtype the parsed dtype, or null when qwen4j cannot compute with it
 */
public record TensorInfo(String name, String dtypeName, DType dtype, long[] shape, MemorySegment data, Path file) {
    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
