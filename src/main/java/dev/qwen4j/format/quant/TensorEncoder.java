package dev.qwen4j.format.quant;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;
import dev.qwen4j.tensor.quant.QuantRows;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Re-encodes a weight matrix in another dtype (quantizing, or converting between float formats), row by row on all threads. */
public final class TensorEncoder {
    private TensorEncoder() {}

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The bytes of src in dtype target, allocated in arena. */
    public static MemorySegment encode(WeightMatrix src, DType target, Arena arena) {
        int rows = src.rows(), cols = src.cols();
        long rowBytes = target.byteSize(cols);
        MemorySegment out = arena.allocate(rows * rowBytes, 64);
        Parallel.forRange(rows, 64, (from, to) -> {
            float[] row = new float[cols];
            for (int r = from; r < to; r++) {
                src.rowInto(r, row, 0);
                encodeRow(row, target, out, r * rowBytes);
            }
        });
        return out;
    }

    /** One row of f32 values in dtype t at dst[off..]. */
    public static void encodeRow(float[] row, DType t, MemorySegment dst, long off) {
        switch (t) {
            case F32 -> { for (int c = 0; c < row.length; c++) dst.set(F32, off + 4L * c, row[c]); }
            case F16 -> { for (int c = 0; c < row.length; c++) dst.set(I16, off + 2L * c, Float.floatToFloat16(row[c])); }
            case BF16 -> { for (int c = 0; c < row.length; c++) dst.set(I16, off + 2L * c, dev.qwen4j.tensor.Bf16.round(row[c])); }
            default -> QuantRows.quantize(t, row, 0, row.length, dst, off);
        }
    }

}
