package dev.qwen4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/** Random weight matrices in each dtype, stored at a deliberately unaligned byte offset. */
final class TestWeights {
    private TestWeights() {}

    /**
     * A rows × cols matrix whose data starts byteOffset bytes into a fresh shared segment (so f32 rows
     * are not 4-byte aligned and vectors never 64-byte aligned when the offset is 2 or 6). Values are
     * mostly uniform in [-1, 1], with some zeros, negative zeros and tiny magnitudes (f16
     * subnormals) mixed in.
     */
    static WeightMatrix random(Random rnd, DType dtype, int rows, int cols, int byteOffset) {
        long bytes = (long) rows * cols * dtype.bytes();
        MemorySegment base = Arena.ofAuto().allocate(bytes + byteOffset + 8, 64);
        MemorySegment data = base.asSlice(byteOffset, bytes);
        for (long i = 0; i < (long) rows * cols; i++) {
            float v = value(rnd);
            switch (dtype) {
                case F32 -> data.setAtIndex(WeightMatrix.F32, i, v);
                case BF16 -> data.setAtIndex(WeightMatrix.I16, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                case F16 -> data.setAtIndex(WeightMatrix.I16, i, Float.floatToFloat16(v));
            }
        }
        return new WeightMatrix("w" + rows + "x" + cols, data, dtype, rows, cols);
    }

    static float value(Random rnd) {
        int kind = rnd.nextInt(40);
        if (kind == 0) return 0f;
        if (kind == 1) return -0f;
        if (kind <= 4) return (rnd.nextFloat() * 2 - 1) * 6e-5f; // f16 subnormal range
        return rnd.nextFloat() * 2 - 1;
    }

    static float[] randomArray(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (rnd.nextFloat() * 2 - 1) * scale;
        return a;
    }
}
