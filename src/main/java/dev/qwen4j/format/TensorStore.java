package dev.qwen4j.format;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.WeightMatrix;
import java.util.Collection;
import java.util.Optional;

/**
 * Named tensors of a model, whatever file format holds them. Model code asks for tensors by their
 * Hugging Face names and the shapes it expects; a mismatch is reported with the file and tensor named.
 */
public interface TensorStore extends AutoCloseable {
    Optional<TensorInfo> find(String name);

    Collection<TensorInfo> all();

    /** A short description of where the tensors come from (for messages and `inspect`). */
    String source();

    @Override
    void close();

    default TensorInfo require(String name) {
        return find(name).orElseThrow(() -> new ModelFormatException(source() + ": missing tensor '" + name + "'"));
    }

    default boolean has(String name) {
        return find(name).isPresent();
    }

    /** A 2-D weight [rows, cols], used in place. */
    default WeightMatrix matrix(String name, int rows, int cols) {
        TensorInfo t = require(name);
        checkShape(t, rows, cols);
        return new WeightMatrix(name, t.data(), computable(t), rows, cols);
    }

    /** A 1-D tensor (norm weights, biases) copied to f32: these are tiny. */
    default float[] vector(String name, int length) {
        TensorInfo t = require(name);
        checkShape(t, length);
        float[] out = new float[length];
        new WeightMatrix(name, t.data(), computable(t), 1, length).rowInto(0, out, 0);
        return out;
    }

    private DType computable(TensorInfo t) {
        if (t.dtype() == null) {
            throw new ModelFormatException(t.file() + ": tensor '" + t.name() + "' has dtype " + t.dtypeName()
                    + ", which qwen4j does not support (supported: " + java.util.Arrays.toString(DType.values()) + ")");
        }
        return t.dtype();
    }

    private void checkShape(TensorInfo t, long... expected) {
        if (!java.util.Arrays.equals(t.shape(), expected)) {
            throw new ModelFormatException(t.file() + ": tensor '" + t.name() + "' has shape " + t.shapeString()
                    + " but the config implies " + java.util.Arrays.toString(expected));
        }
    }
}
