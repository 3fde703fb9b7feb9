package dev.qwen4j.tensor.quant;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ShortVector;

/**
 * A decode copy of a Q4_0, Q4_K or Q6_K matrix in which each 16-bit lane of a vector holds one 32-value block,
 * for products with {@link Q8Lanes} activations in 16-bit integer lanes (llama.cpp likewise multiplies these
 * formats with 8-bit activations, and likewise repacks them at load).
 *
 * <p>Why: in the block layouts one block's codes are 16–24 contiguous bytes, so a kernel must widen and
 * shuffle them into lanes and can only use f32 FMA (the Vector API has no int8 dot product): measured on Zen 4
 * that is ~7 vector instructions per 32 weights. Here a row is cut into groups of {@link #LANES} blocks, and
 * word m of lane i holds codes 4m … 4m+3 of block i, so a whole vector of codes comes from one load and one
 * shift-and-mask, is multiplied with the activations' codes and added in 16-bit lanes (3.5 instructions per 32
 * weights, 1.7× faster on one core); the block scales apply once per group, one per lane. The per-lane sums
 * stay within 16 bits: at most 16 products of a 4-bit code and an 8-bit activation per accumulator.
 *
 * <p>Group layout (LANES = L; shorts and floats little-endian):
 * <ul>
 *   <li>Q4_0: {@code short nib[8][L]} (code j of block i at bits 4·(j%4) of nib[j/4][i]), {@code float d[L]}.
 *   <li>Q4_K: nib as Q4_0 (the 32-value sub-blocks are the blocks), {@code float scale[L]} (d·sc),
 *       {@code float min[L]} (dmin·m).
 *   <li>Q6_K: nib as Q4_0 with the low four bits of each code, {@code short high[4][L]} (the top two bits of code
 *       j at bits 2·(j%8) of high[j/8][i]), {@code float scale[2][L]} (d·sc for values 0–15 and 16–31).
 * </ul>
 * Blocks past the row's end are zero (codes and scales).
 */
public final class InterleavedRows {
    /** 16-bit lanes per vector: blocks per group. */
    public static final int LANES = ShortVector.SPECIES_PREFERRED.length();
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static volatile boolean enabled = !"false".equals(System.getProperty("qwen4j.interleave", "true"));

    /** Whether decode products use interleaved copies (system property {@code qwen4j.interleave}, default true). */
    public static boolean enabled() {
        return enabled;
    }

    /**
     * Turns interleaved decode copies on or off for matrices not yet copied (llama.cpp's {@code --no-repack}):
     * off keeps decode on the f32-activation kernels over the original blocks, with no extra memory.
     */
    public static void setEnabled(boolean on) {
        enabled = on;
    }

    private final DType type;
    private final MemorySegment data;
    private final int rows, cols, groups;
    private final long groupBytes;

    private InterleavedRows(DType type, MemorySegment data, int rows, int cols) {
        this.type = type;
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.groups = Q8Lanes.groups(cols);
        this.groupBytes = groupBytes(type);
    }

    /** Whether t has an interleaved layout and kernel on this machine (16-bit lanes of 256 bits or wider). */
    public static boolean supports(DType t) {
        return LANES >= 16 && (t == DType.Q4_0 || t == DType.Q4_K || t == DType.Q6_K);
    }

    static long groupBytes(DType t) {
        return switch (t) {
            case Q4_0 -> 20L * LANES;
            case Q4_K -> 24L * LANES;
            case Q6_K -> 32L * LANES;
            default -> throw new IllegalArgumentException("no interleaved layout for " + t);
        };
    }

    public DType type() { return type; }
    public MemorySegment data() { return data; }
    public int rows() { return rows; }
    public int cols() { return cols; }

    /** Bytes of one packed row. */
    long rowBytes() {
        return groups * groupBytes;
    }

    /** Packs w (whose dtype {@link #supports}) into a new native segment; rows are packed in parallel. */
    public static InterleavedRows pack(WeightMatrix w) {
        DType t = w.dtype();
        if (!supports(t)) throw new IllegalArgumentException("no interleaved layout for " + t + " here");
        int rows = w.rows(), cols = w.cols();
        InterleavedRows p = new InterleavedRows(t, Arena.ofAuto().allocate(rows * (long) Q8Lanes.groups(cols) * groupBytes(t), 64),
                rows, cols);
        long srcRowBytes = w.rowBytes();
        Parallel.forRange(rows, 64, (from, to) -> {
            int[] codes = new int[32];
            float[] scales = new float[2];
            for (int r = from; r < to; r++) p.packRow(w.data(), r * srcRowBytes, r, codes, scales);
        });
        return p;
    }

    private void packRow(MemorySegment src, long rowOff, int r, int[] codes, float[] scales) {
        int blocks = cols / 32;
        for (int g = 0; g < groups; g++) {
            long go = r * rowBytes() + g * groupBytes;
            for (int i = 0; i < LANES; i++) {
                int b = g * LANES + i;
                if (b < blocks) {
                    decodeBlock(type, src, rowOff, b, codes, scales);
                } else {
                    java.util.Arrays.fill(codes, 0);
                    scales[0] = scales[1] = 0f;
                }
                for (int m = 0; m < 8; m++) {
                    int word = codes[4 * m] & 15 | (codes[4 * m + 1] & 15) << 4 | (codes[4 * m + 2] & 15) << 8 | (codes[4 * m + 3] & 15) << 12;
                    data.set(I16, go + 2L * (m * LANES + i), (short) word);
                }
                long tail = go + 16L * LANES;
                if (type == DType.Q6_K) {
                    for (int m = 0; m < 4; m++) {
                        int word = 0;
                        for (int k = 0; k < 8; k++) word |= (codes[8 * m + k] >> 4) << (2 * k);
                        data.set(I16, tail + 2L * (m * LANES + i), (short) word);
                    }
                    tail += 8L * LANES;
                }
                data.set(F32, tail + 4L * i, scales[0]);
                if (type != DType.Q4_0) data.set(F32, tail + 4L * (LANES + i), scales[1]);
            }
        }
    }

    /**
     * The unsigned codes of 32-value block b of the row at rowOff and its scales: Q4_0 value = d·(code − 8)
     * (scales[0] = d); Q4_K value = scales[0]·code − scales[1]; Q6_K value = scales[h]·(code − 32) for
     * values 16h … 16h + 15.
     */
    static void decodeBlock(DType t, MemorySegment src, long rowOff, int b, int[] codes, float[] scales) {
        switch (t) {
            case Q4_0 -> {
                long bo = rowOff + (long) b * Q4_0.BYTES;
                scales[0] = Blocks.f16(src, bo);
                for (int j = 0; j < 16; j++) {
                    int q = Blocks.u8(src, bo + 2 + j);
                    codes[j] = q & 15;
                    codes[j + 16] = q >> 4;
                }
            }
            case Q4_K -> {
                long bo = rowOff + (long) (b / 8) * Q4_K.BYTES;
                int sub = b % 8;
                scales[0] = Blocks.f16(src, bo) * Q4_K.scaleAt(src, bo, sub);
                scales[1] = Blocks.f16(src, bo + 2) * Q4_K.minAt(src, bo, sub);
                long qs = bo + Q4_K.QS_OFFSET + 32L * (sub / 2);
                for (int j = 0; j < 32; j++) {
                    int q = Blocks.u8(src, qs + j);
                    codes[j] = (sub & 1) == 0 ? q & 15 : q >> 4;
                }
            }
            case Q6_K -> {
                long bo = rowOff + (long) (b / 8) * Q6_K.BYTES;
                int k0 = 32 * (b % 8), h = k0 / 128, quarter = (k0 % 128) / 32;
                float d = Blocks.f16(src, bo + Q6_K.D_OFFSET);
                long sc = bo + Q6_K.SCALES_OFFSET + 8L * h + 2L * quarter;
                scales[0] = d * src.get(Blocks.I8, sc);
                scales[1] = d * src.get(Blocks.I8, sc + 1);
                for (int l = 0; l < 32; l++) {
                    int lo = Blocks.u8(src, bo + 64L * h + l + (quarter & 1) * 32L);
                    lo = quarter < 2 ? lo & 15 : lo >> 4;
                    int hi = (Blocks.u8(src, bo + Q6_K.QH_OFFSET + 32L * h + l) >> (2 * quarter)) & 3;
                    codes[l] = lo | hi << 4;
                }
            }
            default -> throw new IllegalArgumentException("no interleaved layout for " + t);
        }
    }

    /** out[oo + r] = Σ_c W[r, c]·x_c for rows [from, to), x the dequantized activations; x.cols() == cols. */
    public void matvec(Q8Lanes x, int from, int to, float[] out, int oo) {
        if (x.cols != cols) throw new IllegalArgumentException(x.cols + " activations for " + cols + " columns");
        long rb = rowBytes();
        switch (type) {
            case Q4_0 -> InterleavedQ4_0.matvec(data, rb, groups, from, to, x, out, oo);
            case Q4_K -> InterleavedQ4_K.matvec(data, rb, groups, from, to, x, out, oo);
            case Q6_K -> InterleavedQ6_K.matvec(data, rb, groups, from, to, x, out, oo);
            default -> throw new IllegalStateException(type.toString());
        }
    }

    /** Scalar twin of {@link #matvec}: the same integer sums per lane, then the same scaling, in f64. */
    public void matvecScalar(Q8Lanes x, int from, int to, float[] out, int oo) {
        long rb = rowBytes();
        for (int r = from; r < to; r++) {
            double acc = 0;
            for (int g = 0; g < groups; g++) {
                long go = r * rb + g * groupBytes;
                for (int i = 0; i < LANES; i++) {
                    int b = g * LANES + i, lo = 0, hi = 0;
                    for (int j = 0; j < 32; j++) {
                        int code = (data.get(I16, go + 2L * ((j / 4) * LANES + i)) >> (4 * (j % 4))) & 15;
                        if (type == DType.Q6_K) code |= ((data.get(I16, go + 16L * LANES + 2L * ((j / 8) * LANES + i)) >> (2 * (j % 8))) & 3) << 4;
                        int p = code * x.q[g * 32 * LANES + j * LANES + i];
                        if (j < 16) lo += p;
                        else hi += p;
                    }
                    long tail = go + (type == DType.Q6_K ? 24L : 16L) * LANES;
                    double s0 = data.get(F32, tail + 4L * i), dx = x.d[b];
                    acc += switch (type) {
                        case Q4_0 -> s0 * dx * (lo + hi - 8 * x.sum[b]);
                        case Q4_K -> dx * (s0 * (lo + hi) - data.get(F32, tail + 4L * (LANES + i)) * x.sum[b]);
                        default -> dx * (s0 * (lo - 32 * x.sumLo[b]) + data.get(F32, tail + 4L * (LANES + i)) * (hi - 32 * x.sumHi[b]));
                    };
                }
            }
            out[oo + r] = (float) acc;
        }
    }
}
