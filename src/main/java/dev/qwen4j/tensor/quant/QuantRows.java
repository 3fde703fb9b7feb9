package dev.qwen4j.tensor.quant;

import dev.qwen4j.tensor.DType;
import java.lang.foreign.MemorySegment;

/** Row operations of the block formats, chosen by dtype: quantize, dequantize, read one value, dot. */
public final class QuantRows {
    private QuantRows() {}

    /** Quantizes x[xOff, xOff + n) into dst at off, exactly as llama.cpp's quantize_row_*_ref does
     * (IQ4_NL and IQ4_XS: as its quantize_iq4_nl / quantize_iq4_xs, which llama-quantize runs). */
    public static void quantize(DType t, float[] x, int xOff, int n, MemorySegment dst, long off) {
        check(t, n);
        switch (t) {
            case Q8_0 -> Q8_0.quantizeRow(x, xOff, n, dst, off);
            case Q4_0 -> Q4_0.quantizeRow(x, xOff, n, dst, off);
            case Q4_1 -> Q4_1.quantizeRow(x, xOff, n, dst, off);
            case Q5_0 -> Q5_0.quantizeRow(x, xOff, n, dst, off);
            case Q5_1 -> Q5_1.quantizeRow(x, xOff, n, dst, off);
            case Q2_K -> Q2_K.quantizeRow(x, xOff, n, dst, off);
            case Q3_K -> Q3_K.quantizeRow(x, xOff, n, dst, off);
            case Q4_K -> Q4_K.quantizeRow(x, xOff, n, dst, off);
            case Q5_K -> Q5_K.quantizeRow(x, xOff, n, dst, off);
            case Q6_K -> Q6_K.quantizeRow(x, xOff, n, dst, off);
            case IQ4_NL -> IQ4_NL.quantizeRow(x, xOff, n, dst, off);
            case IQ4_XS -> IQ4_XS.quantizeRow(x, xOff, n, dst, off);
            default -> throw notQuantized(t);
        }
    }

    /** Dequantizes n values from src at off into y[yOff..]. */
    public static void dequantize(DType t, MemorySegment src, long off, float[] y, int yOff, int n) {
        check(t, n);
        switch (t) {
            case Q8_0 -> Q8_0.dequantizeRow(src, off, y, yOff, n);
            case Q4_0 -> Q4_0.dequantizeRow(src, off, y, yOff, n);
            case Q4_1 -> Q4_1.dequantizeRow(src, off, y, yOff, n);
            case Q5_0 -> Q5_0.dequantizeRow(src, off, y, yOff, n);
            case Q5_1 -> Q5_1.dequantizeRow(src, off, y, yOff, n);
            case Q2_K -> Q2_K.dequantizeRow(src, off, y, yOff, n);
            case Q3_K -> Q3_K.dequantizeRow(src, off, y, yOff, n);
            case Q4_K -> Q4_K.dequantizeRow(src, off, y, yOff, n);
            case Q5_K -> Q5_K.dequantizeRow(src, off, y, yOff, n);
            case Q6_K -> Q6_K.dequantizeRow(src, off, y, yOff, n);
            case IQ4_NL -> IQ4_NL.dequantizeRow(src, off, y, yOff, n);
            case IQ4_XS -> IQ4_XS.dequantizeRow(src, off, y, yOff, n);
            default -> throw notQuantized(t);
        }
    }

    /** The vector twin of {@link #dequantize}: the same values, bit for bit. */
    public static void dequantizeVector(DType t, MemorySegment src, long off, float[] y, int yOff, int n) {
        check(t, n);
        switch (t) {
            case Q8_0 -> Q8_0.dequantizeRowVector(src, off, y, yOff, n);
            case Q4_0 -> Q4_0.dequantizeRowVector(src, off, y, yOff, n);
            case Q4_1 -> Q4_1.dequantizeRowVector(src, off, y, yOff, n);
            case Q5_0 -> Q5_0.dequantizeRowVector(src, off, y, yOff, n);
            case Q5_1 -> Q5_1.dequantizeRowVector(src, off, y, yOff, n);
            case Q2_K -> Q2_K.dequantizeRowVector(src, off, y, yOff, n);
            case Q3_K -> Q3_K.dequantizeRowVector(src, off, y, yOff, n);
            case Q4_K -> Q4_K.dequantizeRowVector(src, off, y, yOff, n);
            case Q5_K -> Q5_K.dequantizeRowVector(src, off, y, yOff, n);
            case Q6_K -> Q6_K.dequantizeRowVector(src, off, y, yOff, n);
            case IQ4_NL -> IQ4_NL.dequantizeRowVector(src, off, y, yOff, n);
            case IQ4_XS -> IQ4_XS.dequantizeRowVector(src, off, y, yOff, n);
            default -> throw notQuantized(t);
        }
    }

    /** Value i of the row of blocks starting at off. */
    public static float get(DType t, MemorySegment src, long off, int i) {
        return switch (t) {
            case Q8_0 -> Q8_0.get(src, off, i);
            case Q4_0 -> Q4_0.get(src, off, i);
            case Q4_1 -> Q4_1.get(src, off, i);
            case Q5_0 -> Q5_0.get(src, off, i);
            case Q5_1 -> Q5_1.get(src, off, i);
            case Q2_K -> Q2_K.get(src, off, i);
            case Q3_K -> Q3_K.get(src, off, i);
            case Q4_K -> Q4_K.get(src, off, i);
            case Q5_K -> Q5_K.get(src, off, i);
            case Q6_K -> Q6_K.get(src, off, i);
            case IQ4_NL -> IQ4_NL.get(src, off, i);
            case IQ4_XS -> IQ4_XS.get(src, off, i);
            default -> throw notQuantized(t);
        };
    }

    /** The vector fused dequantize-dot of one row with x[xo, xo + cols). */
    public static float dot(DType t, MemorySegment w, long off, int cols, float[] x, int xo) {
        return switch (t) {
            case Q8_0 -> Q8_0.dot(w, off, cols, x, xo);
            case Q4_0 -> Q4_0.dot(w, off, cols, x, xo);
            case Q4_1 -> Q4_1.dot(w, off, cols, x, xo);
            case Q5_0 -> Q5_0.dot(w, off, cols, x, xo);
            case Q5_1 -> Q5_1.dot(w, off, cols, x, xo);
            case Q2_K -> Q2_K.dot(w, off, cols, x, xo);
            case Q3_K -> Q3_K.dot(w, off, cols, x, xo);
            case Q4_K -> Q4_K.dot(w, off, cols, x, xo);
            case Q5_K -> Q5_K.dot(w, off, cols, x, xo);
            case Q6_K -> Q6_K.dot(w, off, cols, x, xo);
            case IQ4_NL -> IQ4_NL.dot(w, off, cols, x, xo);
            case IQ4_XS -> IQ4_XS.dot(w, off, cols, x, xo);
            default -> throw notQuantized(t);
        };
    }

    /** The scalar twin of {@link #dot}. */
    public static float dotScalar(DType t, MemorySegment w, long off, int cols, float[] x, int xo) {
        return switch (t) {
            case Q8_0 -> Q8_0.dotScalar(w, off, cols, x, xo);
            case Q4_0 -> Q4_0.dotScalar(w, off, cols, x, xo);
            case Q4_1 -> Q4_1.dotScalar(w, off, cols, x, xo);
            case Q5_0 -> Q5_0.dotScalar(w, off, cols, x, xo);
            case Q5_1 -> Q5_1.dotScalar(w, off, cols, x, xo);
            case Q2_K -> Q2_K.dotScalar(w, off, cols, x, xo);
            case Q3_K -> Q3_K.dotScalar(w, off, cols, x, xo);
            case Q4_K -> Q4_K.dotScalar(w, off, cols, x, xo);
            case Q5_K -> Q5_K.dotScalar(w, off, cols, x, xo);
            case Q6_K -> Q6_K.dotScalar(w, off, cols, x, xo);
            case IQ4_NL -> IQ4_NL.dotScalar(w, off, cols, x, xo);
            case IQ4_XS -> IQ4_XS.dotScalar(w, off, cols, x, xo);
            default -> throw notQuantized(t);
        };
    }

    private static void check(DType t, int n) {
        if (n % t.blockSize() != 0) {
            throw new IllegalArgumentException(n + " values do not fill whole " + t + " blocks of " + t.blockSize());
        }
    }

    private static IllegalArgumentException notQuantized(DType t) {
        return new IllegalArgumentException(t + " is not a block-quantized type");
    }
}
