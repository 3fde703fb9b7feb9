package dev.qwen4j.tensor.quant;

import static dev.qwen4j.tensor.quant.Blocks.F;
import static dev.qwen4j.tensor.quant.Blocks.I;
import static dev.qwen4j.tensor.quant.Blocks.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml block_iq4_nl: {f16 d; uint8 qs[16]}; value j (j &lt; 16) is d·LEVELS[low nibble of qs[j]], value 16 + j
 * d·LEVELS[its high nibble], with {@link NonLinear4#LEVELS} the 16 non-uniform levels. Q4_0's size with a
 * smaller error; llama.cpp falls back to it where IQ4_XS's 256-value blocks do not fit a row.
 */
public final class IQ4_NL {
    private IQ4_NL() {}

    public static final int QK = 32;
    public static final int BYTES = 18;

    /** Bytes with as many lanes as the int species: one load widens to one vector of codes. */
    static final VectorSpecies<Byte> CODE_BYTES = VectorSpecies.of(byte.class, jdk.incubator.vector.VectorShape.forBitSize(I.length() * 8));

    /** llama.cpp's quantize_iq4_nl without an importance matrix (what llama-quantize writes). */
    public static void quantizeRow(float[] x, int xOff, int n, MemorySegment dst, long off) {
        byte[] codes = new byte[QK];
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            int xb = xOff + b * QK;
            float d = NonLinear4.blockScale(x, xb, codes, 0);
            Blocks.putF16(dst, off, d);
            // the codes are picked again for the f32 scale (a zero block gets the level nearest 0)
            float id = d != 0 ? 1 / d : 0f;
            NonLinear4.nearestLevels(x, xb, id, codes, 0, QK);
            NonLinear4.pack(codes, 0, dst, off + 2);
        }
    }

    public static void dequantizeRow(MemorySegment src, long off, float[] y, int yOff, int n) {
        for (int b = 0; b < n / QK; b++, off += BYTES) {
            float d = Blocks.f16(src, off);
            int yb = yOff + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(src, off + 2 + j);
                y[yb + j] = d * NonLinear4.LEVELS[q & 0x0F];
                y[yb + j + QK / 2] = d * NonLinear4.LEVELS[q >>> 4];
            }
        }
    }

    /** Vector twin of {@link #dequantizeRow}, bit-identical (one rounding: d·level). */
    public static void dequantizeRowVector(MemorySegment src, long off, float[] y, int yOff, int n) {
        if (!NonLinear4.VECTOR) {
            dequantizeRow(src, off, y, yOff, n);
            return;
        }
        int l = I.length();
        for (int c = 0; c < n; c += QK, off += BYTES) {
            FloatVector d = FloatVector.broadcast(F, Blocks.f16(src, off));
            for (int i = 0; i < QK / 2; i += l) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(CODE_BYTES, src, off + 2 + i, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                Blocks.intsToFloats(NonLinear4.levels(q.and(0x0F))).mul(d).intoArray(y, yOff + c + i);
                Blocks.intsToFloats(NonLinear4.levels(q.lanewise(VectorOperators.LSHR, 4))).mul(d).intoArray(y, yOff + c + QK / 2 + i);
            }
        }
    }

    public static float get(MemorySegment src, long off, int i) {
        long bo = off + (long) (i / QK) * BYTES;
        int j = i % QK;
        int q = Blocks.u8(src, bo + 2 + (j % 16));
        return Blocks.f16(src, bo) * NonLinear4.LEVELS[j < 16 ? q & 0x0F : q >>> 4];
    }

    /** Σ W[c]·x[xo + c]: per block Σ level·x in f32 lanes, times d. */
    public static float dot(MemorySegment w, long off, int cols, float[] x, int xo) {
        if (!NonLinear4.VECTOR) return dotScalar(w, off, cols, x, xo);
        int l = I.length();
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            FloatVector s = FloatVector.zero(F);
            for (int i = 0; i < QK / 2; i += l) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(CODE_BYTES, w, off + 2 + i, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                s = Blocks.intsToFloats(NonLinear4.levels(q.and(0x0F))).fma(FloatVector.fromArray(F, x, xo + c + i), s);
                s = Blocks.intsToFloats(NonLinear4.levels(q.lanewise(VectorOperators.LSHR, 4))).fma(FloatVector.fromArray(F, x, xo + c + QK / 2 + i), s);
            }
            acc = s.fma(FloatVector.broadcast(F, Blocks.f16(w, off)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Decode kernel for 16-lane f32 vectors, as {@link Q4_0#matvec16}: the block's 16 values d·level are one
     * multiply, and the nibbles select from them (the permute reads only the low 4 bits).
     */
    static void matvec16(MemorySegment w, long rowBytes, int cols, int from, int to, float[] x, int xo, float[] out, int oo) {
        for (int r = from; r < to; r++) {
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            long off = r * rowBytes;
            for (int c = 0; c < cols; c += QK, off += BYTES) {
                IntVector table = NonLinear4.FLOAT_LEVELS.mul(Blocks.f16(w, off)).reinterpretAsInts();
                IntVector q = ((IntVector) ByteVector.fromMemorySegment(RowKernels.B128, w, off + 2, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, Blocks.I, 0));
                acc0 = q.selectFrom(table).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xo + c), acc0);
                acc1 = q.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xo + c + 16), acc1);
            }
            out[oo + r] = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
    }

    public static float dotScalar(MemorySegment w, long off, int cols, float[] x, int xo) {
        float acc = 0f;
        for (int c = 0; c < cols; c += QK, off += BYTES) {
            float s = 0f;
            for (int j = 0; j < QK / 2; j++) {
                int q = Blocks.u8(w, off + 2 + j);
                s += NonLinear4.LEVELS[q & 0x0F] * x[xo + c + j] + NonLinear4.LEVELS[q >>> 4] * x[xo + c + QK / 2 + j];
            }
            acc += s * Blocks.f16(w, off);
        }
        return acc;
    }
}
