package dev.qwen4j.tensor.quant;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.NativeBuffers;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.ShortVector;

/**
 * A decode copy of a Q3_K, Q4_0, Q4_K, Q5_0, Q5_K or Q6_K matrix in which each 16-bit lane of a vector holds one 32-value block,
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
 * <p>Group layout (LANES = L; shorts and floats little-endian; K-quant scales kept in their integer form with one
 * f32 per 256-value super-block):
 * <ul>
 *   <li>Q4_0: {@code short nib[8][L]} (code j of block i at bits 4·(j%4) of nib[j/4][i]), {@code float d[L]}.
 *   <li>Q4_K: nib as Q4_0 (the 32-value sub-blocks are the blocks), {@code byte sc[L]}, {@code byte m[L]} (the
 *       6-bit scales and mins), {@code float d[L/8]}, {@code float dmin[L/8]} (lane i belongs to super-block i/8);
 *       value = d·sc·code − dmin·m.
 *   <li>Q6_K: {@code byte code[32][L]} (code j − 32 of block i, signed, at code[j][i]: a plane per code position,
 *       which one widening load turns into a vector of 16-bit codes),
 *       {@code byte sc[2][L]} (the int8 scales of values 0–15 and 16–31), {@code float d[L/8]}. A byte per
 *       6-bit code buys half the instructions: split into low and high bits as in the blocks, each code costs
 *       two products (measured on the 151936 × 1024 output head, 2 threads: 8.0 against 8.6 ms; 1 thread 10.5
 *       against 13.5 ms).
 *   <li>Q5_K: code planes as Q6_K (code − 16), then sc and m bytes and d, dmin as Q4_K (8.75 bits a weight).
 *   <li>Q5_0: code planes as Q6_K (code − 16), {@code float d[L]} (9 bits a weight).
 *   <li>Q3_K: nib as Q4_0 (code + 4, 0..7), {@code byte sc[2][L]} (the scales − 32 of values 0–15 and 16–31),
 *       {@code float d[L/8]}; value = d·sc_h·(code − 4) (4.6 bits a weight).
 * </ul>
 * Blocks past the row's end are zero (codes and scales). A row whose last group is at most half full shares it
 * with its pair row: rows 2p and 2p + 1 are stored as [whole groups of 2p][shared tail][whole groups of 2p + 1],
 * 2p's tail blocks in the lower lanes and 2p + 1's in the upper ones, so each row's groups are still contiguous
 * (the odd row's start with the tail) and each multiplies the {@link Q8Lanes} tail copy with zeros in the other half. Qwen3-4B's rows of 2560 and 9728 values (2 and 9 groups and a half with 32 lanes)
 * would otherwise pad a fifth and a twentieth of their copy with zeros, and read them every token.
 */
public final class InterleavedRows {
    /** 16-bit lanes per vector: blocks per group. */
    public static final int LANES = ShortVector.SPECIES_PREFERRED.length();
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static volatile boolean enabled = !"false".equals(System.getProperty("qwen4j.interleave", "true"));

    /** Whether Q4_0, Q4_K and Q6_K codes are packed straight from their bytes (false in tests: through decodeBlock). */
    static volatile boolean fastPacking = true;

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
    /** The rows, and the columns this copy holds: source columns [32·firstBlock, 32·firstBlock + cols). */
    private final int rows, cols, firstBlock;
    /** Groups a row's product visits (whole ones, then its tail if any), and how many of them are whole. */
    final int groups, full;
    final long groupBytes;
    /** Bytes of a row pair when rows share their tail group ({@link Q8Lanes#sharedTail}), else 0. */
    final long pairBytes;

    private InterleavedRows(DType type, int rows, int cols, int firstBlock) {
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.firstBlock = firstBlock;
        this.groups = Q8Lanes.groups(cols);
        this.full = Q8Lanes.fullGroups(cols);
        this.groupBytes = groupBytes(type);
        this.pairBytes = Q8Lanes.sharedTail(cols) ? (2L * full + 1) * groupBytes : 0;
        long bytes = pairBytes > 0 ? (rows + 1L) / 2 * pairBytes : rows * (long) groups * groupBytes;
        this.data = NativeBuffers.allocate(bytes);
    }

    /** Offset of row r's first group; its groups follow contiguously (an odd row of a pair starts with the shared tail). */
    long rowStart(int r) {
        if (pairBytes == 0) return r * (long) groups * groupBytes;
        return (r >> 1) * pairBytes + (r & 1) * (long) full * groupBytes;
    }

    /**
     * The {@link Q8Lanes} activation group that row r's group g multiplies is g + this: with shared tails the
     * activations start with the tail's upper-lane copy, which only odd rows visit (first).
     */
    int activationOffset(int r) {
        return pairBytes == 0 ? 0 : 1 - (r & 1);
    }

    /** Whether t's codes are stored as re-centred signed bytes ({@link InterleavedByteCodes}). */
    static boolean byteCodes(DType t) {
        return t == DType.Q6_K || t == DType.Q5_K || t == DType.Q5_0;
    }

    /** The code subtracted before storing a byte code: the format's zero. */
    static int centre(DType t) {
        return t == DType.Q6_K ? 32 : 16;
    }

    /** Whether t has an interleaved layout and kernel on this machine (16-bit lanes of 256 bits or wider). */
    public static boolean supports(DType t) {
        return (LANES == 16 || LANES == 32)
                && (t == DType.Q4_0 || t == DType.Q4_K || t == DType.Q6_K || t == DType.Q5_0 || t == DType.Q5_K || t == DType.Q3_K);
    }

    static long groupBytes(DType t) {
        return switch (t) {
            case Q4_0 -> 20L * LANES;
            case Q4_K -> 19L * LANES;
            case Q6_K -> 34L * LANES + LANES / 2;
            case Q5_K -> 35L * LANES;
            case Q5_0 -> 36L * LANES;
            case Q3_K -> 18L * LANES + LANES / 2;
            default -> throw new IllegalArgumentException("no interleaved layout for " + t);
        };
    }

    public DType type() { return type; }
    public MemorySegment data() { return data; }
    public int rows() { return rows; }
    public int cols() { return cols; }


    /** Packs w (whose dtype {@link #supports}) into a new native segment; rows are packed in parallel. */
    public static InterleavedRows pack(WeightMatrix w) {
        return pack(w, 0, w.cols());
    }

    /**
     * Packs columns [c0, c1) of w: a column slice ({@link InterleavedMatrix}), multiplied with activations
     * quantized from x[c0, c1). Both ends are multiples of the format's block (256 for the K-quants).
     */
    static InterleavedRows pack(WeightMatrix w, int c0, int c1) {
        DType t = w.dtype();
        if (!supports(t)) throw new IllegalArgumentException("no interleaved layout for " + t + " here");
        int block = t.blockSize();
        if (c0 < 0 || c1 > w.cols() || c0 >= c1 || c0 % block != 0 || c1 % block != 0) {
            throw new IllegalArgumentException("columns [" + c0 + ", " + c1 + ") of " + w + " are not whole " + t + " blocks");
        }
        InterleavedRows p = new InterleavedRows(t, w.rows(), c1 - c0, c0 / 32);
        int rows = w.rows();
        // chunks start at multiples of 16, so a row pair is packed by one thread (its shared tail in one go)
        Parallel.forChunks(rows, 16, 4 * Parallel.threads(), (from, to) -> new RowPacker(p, w).pack(from, to));
        return p;
    }

    /**
     * Packs rows through heap staging arrays: a source row is copied in with one bulk copy, decoded with plain
     * array reads, and each packed group leaves with two bulk copies (per-value segment accesses ran at ~3 ns a
     * weight, seconds for a 0.6B model's first token).
     */
    private static final class RowPacker {
        final InterleavedRows p;
        final WeightMatrix w;
        final byte[] in;
        final short[] words;
        /** Byte codes: code j of lane i at planes[j·LANES + i]. */
        final byte[] planes;
        /** Per group: Q4_0's f32 scales, or the K-quants' integer scales then f32 super-block scales. */
        final float[] floats = new float[LANES];
        final byte[] ints = new byte[2 * LANES];
        final float[] superScales = new float[LANES / 4];
        final int[] codes = new int[32];
        final float[] blockScales = new float[2];
        final int[] blockInts = new int[2];

        /** The pair row's bytes, for a shared tail group. */
        final byte[] pairIn;

        RowPacker(InterleavedRows p, WeightMatrix w) {
            this.p = p;
            this.w = w;
            this.in = new byte[Math.toIntExact(w.rowBytes())];
            this.pairIn = new byte[p.pairBytes > 0 ? in.length : 0];
            this.words = new short[8 * LANES];
            this.planes = new byte[32 * LANES];
        }

        void pack(int from, int to) {
            int blocks = p.cols / 32;
            boolean bytes = byteCodes(p.type);
            int centre = bytes ? centre(p.type) : 0;
            boolean perBlockScale = p.type == DType.Q4_0 || p.type == DType.Q5_0;
            // the common formats' codes go straight from their bytes to the layout (the others through decodeBlock)
            boolean fastCodes = fastPacking && (p.type == DType.Q4_0 || p.type == DType.Q4_K || p.type == DType.Q6_K);
            long tail = (bytes ? 32L : 16L) * LANES;
            boolean shared = p.pairBytes > 0;
            if (shared && (from & 1) != 0) throw new IllegalStateException("a row pair split between chunks at row " + from);
            for (int r = from; r < to; r++) {
                MemorySegment.copy(w.data(), ValueLayout.JAVA_BYTE, r * w.rowBytes(), in, 0, in.length);
                boolean pairRow = shared && (r & 1) == 0 && r + 1 < p.rows;
                if (pairRow) MemorySegment.copy(w.data(), ValueLayout.JAVA_BYTE, (r + 1) * w.rowBytes(), pairIn, 0, pairIn.length);
                for (int g = 0; g < p.groups; g++) {
                    boolean sharedTail = shared && g == p.full;
                    if (sharedTail && (r & 1) == 1) continue; // written with the even row of the pair
                    boolean whole = !sharedTail && (g + 1) * LANES <= blocks;
                    if (fastCodes && whole) wholeGroup(in, p.firstBlock + g * LANES);
                    else laneByLane(g, sharedTail, pairRow, blocks, fastCodes, bytes, centre);
                    // an odd row's whole group g sits one group on, after the shared tail
                    long go = p.rowStart(r) + (g + (shared && (r & 1) == 1 ? 1 : 0)) * p.groupBytes;
                    if (bytes) MemorySegment.copy(planes, 0, p.data, ValueLayout.JAVA_BYTE, go, planes.length);
                    else MemorySegment.copy(words, 0, p.data, I16, go, words.length);
                    if (perBlockScale) {
                        MemorySegment.copy(floats, 0, p.data, F32, go + tail, LANES);
                    } else {
                        MemorySegment.copy(ints, 0, p.data, ValueLayout.JAVA_BYTE, go + tail, 2 * LANES);
                        boolean dOnly = p.type == DType.Q6_K || p.type == DType.Q3_K;
                        MemorySegment.copy(superScales, 0, p.data, F32, go + tail + 2 * LANES, dOnly ? LANES / 8 : LANES / 4);
                    }
                }
            }
        }

        /**
         * Group g lane by lane: a partial or shared tail group, or any group of the formats without straight packing
         * ({@link #decodeBlock} per block); lanes past the row's blocks get the format's zero.
         */
        private void laneByLane(int g, boolean sharedTail, boolean pairRow, int blocks, boolean fastCodes, boolean bytes, int centre) {
            java.util.Arrays.fill(superScales, 0f);
            for (int i = 0; i < LANES; i++) {
                // a shared tail: the even row's blocks in the lower lanes, the odd row's in the upper ones
                boolean upper = sharedTail && i >= LANES / 2;
                int b = upper ? p.full * LANES + i - LANES / 2 : g * LANES + i;
                boolean present = b < blocks && (!upper || pairRow);
                byte[] src = upper ? pairIn : in;
                if (present && fastCodes) {
                    blockScales(p.type, src, p.firstBlock + b, blockScales, blockInts);
                    if (bytes) codePlanes6(src, p.firstBlock + b, planes, i);
                    else codeWords(p.type, src, p.firstBlock + b, words, i);
                } else {
                    if (present) {
                        decodeBlock(p.type, src, p.firstBlock + b, codes, blockScales, blockInts);
                    } else {
                        java.util.Arrays.fill(codes, centre);
                        blockScales[0] = blockScales[1] = 0f;
                        blockInts[0] = blockInts[1] = 0;
                    }
                    if (bytes) {
                        for (int j = 0; j < 32; j++) planes[j * LANES + i] = (byte) (codes[j] - centre);
                    } else {
                        for (int m = 0; m < 8; m++) {
                            words[m * LANES + i] = (short) (codes[4 * m] | codes[4 * m + 1] << 4 | codes[4 * m + 2] << 8 | codes[4 * m + 3] << 12);
                        }
                    }
                }
                floats[i] = blockScales[0];
                ints[i] = (byte) blockInts[0];
                ints[LANES + i] = (byte) blockInts[1];
                if (i % 8 == 0 && present) {
                    superScales[i / 8] = blockScales[0];
                    superScales[LANES / 8 + i / 8] = blockScales[1];
                }
            }
        }

        /**
         * A group of LANES blocks from b0 on, all within the row, of the formats whose codes pack straight from their
         * bytes: the same arrays as the per-lane path fills, a super-block's scales decoded once for its 8 lanes.
         */
        private void wholeGroup(byte[] row, int b0) {
            switch (p.type) {
                case Q4_0 -> {
                    for (int i = 0; i < LANES; i++) {
                        int bo = (b0 + i) * Q4_0.BYTES;
                        floats[i] = f16(row, bo);
                        for (int k = 0; k < 4; k++) {
                            int v = (int) INT_LE.get(row, bo + 2 + 4 * k); // codes 4k..4k+3 low, 16+4k.. high
                            words[k * LANES + i] = nibbleWord(v);
                            words[(k + 4) * LANES + i] = nibbleWord(v >>> 4);
                        }
                    }
                }
                case Q4_K -> {
                    for (int sb = 0; sb < LANES / 8; sb++) {
                        int bo = (b0 / 8 + sb) * Q4_K.BYTES, lane = 8 * sb;
                        superScales[sb] = f16(row, bo);
                        superScales[LANES / 8 + sb] = f16(row, bo + 2);
                        for (int sub = 0; sub < 8; sub++) {
                            blockScales(DType.Q4_K, row, b0 + lane + sub, blockScales, blockInts);
                            ints[lane + sub] = (byte) blockInts[0];
                            ints[LANES + lane + sub] = (byte) blockInts[1];
                        }
                        // 32 bytes per pair of sub-blocks: the even one's codes in the low nibbles, the odd one's high
                        for (int c = 0; c < 4; c++) {
                            int qs = bo + Q4_K.QS_OFFSET + 32 * c;
                            for (int m = 0; m < 8; m++) {
                                int v = (int) INT_LE.get(row, qs + 4 * m);
                                words[m * LANES + lane + 2 * c] = nibbleWord(v);
                                words[m * LANES + lane + 2 * c + 1] = nibbleWord(v >>> 4);
                            }
                        }
                    }
                }
                case Q6_K -> {
                    for (int sb = 0; sb < LANES / 8; sb++) {
                        int bo = (b0 / 8 + sb) * Q6_K.BYTES, lane = 8 * sb;
                        superScales[sb] = f16(row, bo + Q6_K.D_OFFSET);
                        for (int sub = 0; sub < 8; sub++) {
                            ints[lane + sub] = row[bo + Q6_K.SCALES_OFFSET + 2 * sub];
                            ints[LANES + lane + sub] = row[bo + Q6_K.SCALES_OFFSET + 2 * sub + 1];
                            codePlanes6(row, b0 + lane + sub, planes, lane + sub);
                        }
                    }
                }
                default -> throw new IllegalStateException("no straight packing for " + p.type);
            }
        }
    }

    private static int u8(byte[] a, int i) {
        return a[i] & 0xFF;
    }

    private static float f16(byte[] a, int i) {
        return Float.float16ToFloat((short) (a[i] & 0xFF | a[i + 1] << 8));
    }

    /**
     * The unsigned codes of 32-value block b of a row held in {@code row}, and its scales ({@link #blockScales}).
     * The reference for {@link #codeWords} and {@link #codePlanes}, and the packer's path for the other formats.
     */
    static void decodeBlock(DType t, byte[] row, int b, int[] codes, float[] scales, int[] ints) {
        blockScales(t, row, b, scales, ints);
        switch (t) {
            case Q4_0 -> {
                int qs = b * Q4_0.BYTES + 2;
                for (int j = 0; j < 16; j++) {
                    int q = u8(row, qs + j);
                    codes[j] = q & 15;
                    codes[j + 16] = q >> 4;
                }
            }
            case Q5_0 -> {
                int bo = b * Q5_0.BYTES;
                int qh = u8(row, bo + 2) | u8(row, bo + 3) << 8 | u8(row, bo + 4) << 16 | u8(row, bo + 5) << 24;
                for (int j = 0; j < 16; j++) {
                    int q = u8(row, bo + 6 + j);
                    codes[j] = q & 15 | ((qh >>> j) & 1) << 4;
                    codes[j + 16] = q >> 4 | ((qh >>> (j + 16)) & 1) << 4;
                }
            }
            case Q4_K, Q5_K -> {
                boolean five = t == DType.Q5_K;
                int bo = (b / 8) * (five ? Q5_K.BYTES : Q4_K.BYTES), sub = b % 8;
                int qs = bo + (five ? Q5_K.QS_OFFSET : Q4_K.QS_OFFSET) + 32 * (sub / 2), shift = 4 * (sub & 1);
                for (int j = 0; j < 32; j++) codes[j] = (u8(row, qs + j) >> shift) & 15;
                if (five) {
                    for (int j = 0; j < 32; j++) codes[j] |= ((u8(row, bo + Q5_K.QH_OFFSET + j) >> sub) & 1) << 4;
                }
            }
            case Q3_K -> {
                // block b of the row: 32 values 128h + 32s + i of super-block b/8 (h, s from b % 8)
                int bo = (b / 8) * Q3_K.BYTES, sub = b % 8, h = sub / 4, s = sub % 4;
                for (int i = 0; i < 32; i++) {
                    int low = (u8(row, bo + Q3_K.QS + 32 * h + i) >> (2 * s)) & 3;
                    int high = (u8(row, bo + i) >> sub) & 1; // hmask: set means no −4
                    codes[i] = low + 4 * high; // (low − 4·(1 − high)) + 4
                }
            }
            case Q6_K -> {
                int bo = (b / 8) * Q6_K.BYTES, k0 = 32 * (b % 8), h = k0 / 128, quarter = (k0 % 128) / 32;
                int ql = bo + 64 * h + (quarter & 1) * 32, qh = bo + Q6_K.QH_OFFSET + 32 * h;
                int loShift = quarter < 2 ? 0 : 4, hiShift = 2 * quarter;
                for (int l = 0; l < 32; l++) codes[l] = (u8(row, ql + l) >> loShift) & 15 | ((u8(row, qh + l) >> hiShift) & 3) << 4;
            }
            default -> throw new IllegalArgumentException("no interleaved layout for " + t);
        }
    }

    /**
     * The scales of 32-value block b: Q4_0 value = d·(code − 8) with scales[0] = d (Q5_0: code − 16); Q4_K and
     * Q5_K value = d·sc·code − dmin·m with scales = {d, dmin} of the super-block and ints = {sc, m}; Q6_K value =
     * d·sc_h·(code − 32) for values 16h … 16h + 15 with scales[0] = d and ints = {sc_0, sc_1}; Q3_K the same with
     * code − 4 and ints = the 6-bit scales − 32.
     */
    static void blockScales(DType t, byte[] row, int b, float[] scales, int[] ints) {
        switch (t) {
            case Q4_0 -> scales[0] = f16(row, b * Q4_0.BYTES);
            case Q5_0 -> scales[0] = f16(row, b * Q5_0.BYTES);
            case Q4_K, Q5_K -> {
                int bo = (b / 8) * (t == DType.Q5_K ? Q5_K.BYTES : Q4_K.BYTES), sub = b % 8, sc = bo + Q4_K.SCALES_OFFSET;
                ints[0] = sub < 4 ? u8(row, sc + sub) & 63 : (u8(row, sc + sub + 4) & 15) | (u8(row, sc + sub - 4) >> 6) << 4;
                ints[1] = sub < 4 ? u8(row, sc + sub + 4) & 63 : (u8(row, sc + sub + 4) >> 4) | (u8(row, sc + sub) >> 6) << 4;
                scales[0] = f16(row, bo);
                scales[1] = f16(row, bo + 2);
            }
            case Q3_K -> {
                int bo = (b / 8) * Q3_K.BYTES, sub = b % 8;
                scales[0] = f16(row, bo + Q3_K.D);
                ints[0] = Q3_K.scale(row, bo + Q3_K.SCALES, 2 * sub) - 32;
                ints[1] = Q3_K.scale(row, bo + Q3_K.SCALES, 2 * sub + 1) - 32;
            }
            case Q6_K -> {
                int bo = (b / 8) * Q6_K.BYTES, k0 = 32 * (b % 8), h = k0 / 128, quarter = (k0 % 128) / 32;
                scales[0] = f16(row, bo + Q6_K.D_OFFSET);
                int sc = bo + Q6_K.SCALES_OFFSET + 8 * h + 2 * quarter;
                ints[0] = row[sc];
                ints[1] = row[sc + 1];
            }
            default -> throw new IllegalArgumentException("no interleaved layout for " + t);
        }
    }

    /** Little-endian ints of a byte array: four codes' bytes in one read. */
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Block b's nibble words straight from its bytes (Q4_0 and Q4_K, whose codes are nibbles already): word m of
     * lane i at words[m·LANES + i], as {@link #decodeBlock} then 4 codes a word would give. Four codes' bytes are
     * read as one int, their nibbles masked and folded pairwise into a byte, the two bytes into a word: a few
     * instructions a word instead of a few per code (the per-code packer ran at 0.65 GB/s, seconds for a 4B model).
     */
    static void codeWords(DType t, byte[] row, int b, short[] words, int i) {
        int qs, shift;
        if (t == DType.Q4_0) {
            qs = b * Q4_0.BYTES + 2;
            for (int m = 0; m < 8; m++) words[m * LANES + i] = nibbleWord((int) INT_LE.get(row, qs + 4 * (m & 3)) >>> (m < 4 ? 0 : 4));
        } else {
            int sub = b % 8;
            qs = (b / 8) * Q4_K.BYTES + Q4_K.QS_OFFSET + 32 * (sub / 2);
            shift = 4 * (sub & 1);
            for (int m = 0; m < 8; m++) words[m * LANES + i] = nibbleWord((int) INT_LE.get(row, qs + 4 * m) >>> shift);
        }
    }

    /** The low nibbles of v's four bytes as one 16-bit word, byte 0's lowest. */
    private static short nibbleWord(int v) {
        int x = v & 0x0F0F0F0F;
        int t = x | x >>> 4; // byte 0: nibbles 0, 1; byte 2: nibbles 2, 3
        return (short) (t & 0xFF | (t >>> 8) & 0xFF00);
    }

    /** Q6_K block b's re-centred byte codes straight from its bytes: code j of lane i at planes[j·LANES + i]. */
    static void codePlanes6(byte[] row, int b, byte[] planes, int i) {
        int bo = (b / 8) * Q6_K.BYTES, k0 = 32 * (b % 8), h = k0 / 128, quarter = (k0 % 128) / 32;
        int ql = bo + 64 * h + (quarter & 1) * 32, qh = bo + Q6_K.QH_OFFSET + 32 * h;
        int loShift = quarter < 2 ? 0 : 4, hiShift = 2 * quarter;
        for (int l = 0; l < 32; l += 4) {
            // four codes at once: the low nibbles and the high bit pairs of four bytes, in byte lanes of an int
            int lo = ((int) INT_LE.get(row, ql + l) >>> loShift) & 0x0F0F0F0F;
            int hi = ((int) INT_LE.get(row, qh + l) >>> hiShift) & 0x03030303;
            int codes = lo | hi << 4; // each byte 0..63; minus 32 per byte, no borrow between bytes: flip bit 5
            codes ^= 0x20202020;
            // a byte of 0..63 with bit 5 flipped is code − 32 in two's complement once sign-extended from 6 bits
            planes[l * LANES + i] = (byte) (codes << 26 >> 26);
            planes[(l + 1) * LANES + i] = (byte) (codes << 18 >> 26);
            planes[(l + 2) * LANES + i] = (byte) (codes << 10 >> 26);
            planes[(l + 3) * LANES + i] = (byte) (codes << 2 >> 26);
        }
    }

    /** out[oo + r] = Σ_c W[r, c]·x_c for rows [from, to), x the dequantized activations; x.cols() == cols. */
    public void matvec(Q8Lanes x, int from, int to, float[] out, int oo) {
        if (x.cols != cols) throw new IllegalArgumentException(x.cols + " activations for " + cols + " columns");
        switch (type) {
            case Q4_0 -> InterleavedQ4_0.matvec(this, from, to, x, out, oo);
            case Q4_K -> InterleavedQ4_K.matvec(this, from, to, x, out, oo);
            case Q3_K -> InterleavedQ3_K.matvec(this, from, to, x, out, oo);
            case Q6_K, Q5_K, Q5_0 -> InterleavedByteCodes.matvec(this, from, to, x, out, oo);
            default -> throw new IllegalStateException(type.toString());
        }
    }

    /**
     * {@link #matvec} for two activation vectors: outX[ox + r] for x and outY[oy + r] for y. Q4_K, Q4_0 and Q3_K rows
     * with groups of their own take both in one pass (e.g. {@link InterleavedQ4_K#matvecRows2}: the codes unpacked once,
     * 0.82× the time of two passes over 2048 × 2048, 1 and 2 threads), Q6_K and Q5_K all rows (code planes widened
     * once: ~0.9×); the rest two passes.
     */
    public void matvec2(Q8Lanes x, Q8Lanes y, int from, int to, float[] outX, int ox, float[] outY, int oy) {
        if ((type == DType.Q4_K || type == DType.Q4_0 || type == DType.Q3_K) && pairBytes == 0) {
            if (x.cols != cols || y.cols != cols) throw new IllegalArgumentException(x.cols + " and " + y.cols + " activations for " + cols + " columns");
            switch (type) {
                case Q4_K -> InterleavedQ4_K.matvecRows2(this, from, to, x, y, outX, ox, outY, oy);
                case Q4_0 -> InterleavedQ4_0.matvecRows2(this, from, to, x, y, outX, ox, outY, oy);
                default -> InterleavedQ3_K.matvecRows2(this, from, to, x, y, outX, ox, outY, oy);
            }
            return;
        }
        if (type == DType.Q6_K || type == DType.Q5_K) {
            if (x.cols != cols || y.cols != cols) throw new IllegalArgumentException(x.cols + " and " + y.cols + " activations for " + cols + " columns");
            if (type == DType.Q6_K) InterleavedByteCodes.matvecQ6K2(this, from, to, x, y, outX, ox, outY, oy);
            else InterleavedByteCodes.matvecQ5K2(this, from, to, x, y, outX, ox, outY, oy);
            return;
        }
        matvec(x, from, to, outX, ox);
        matvec(y, from, to, outY, oy);
    }

    /** Scalar twin of {@link #matvec}: the same integer sums per lane, then the same scaling, in f64. */
    public void matvecScalar(Q8Lanes x, int from, int to, float[] out, int oo) {
        for (int r = from; r < to; r++) {
            double acc = 0;
            for (int g = 0; g < groups; g++) {
                long go = rowStart(r) + g * groupBytes;
                int ag = g + activationOffset(r);
                for (int i = 0; i < LANES; i++) {
                    int b = ag * LANES + i, lo = 0, hi = 0;
                    for (int j = 0; j < 32; j++) {
                        int code = byteCodes(type)
                                ? data.get(ValueLayout.JAVA_BYTE, go + (long) j * LANES + i)
                                : (data.get(I16, go + 2L * ((j / 4) * LANES + i)) >> (4 * (j % 4))) & 15;
                        int p = code * x.q[ag * 32 * LANES + j * LANES + i];
                        if (j < 16) lo += p;
                        else hi += p;
                    }
                    long tail = go + (byteCodes(type) ? 32L : 16L) * LANES, supers = tail + 2L * LANES;
                    double dx = x.d[b];
                    int i0 = data.get(ValueLayout.JAVA_BYTE, tail + i), i1 = data.get(ValueLayout.JAVA_BYTE, tail + LANES + i);
                    acc += switch (type) {
                        case Q4_0 -> data.get(F32, tail + 4L * i) * dx * (lo + hi - 8 * x.sum[b]);
                        case Q4_K -> dx * (data.get(F32, supers + 4L * (i / 8)) * i0 * (lo + hi)
                                - data.get(F32, supers + 4L * (LANES / 8 + i / 8)) * i1 * x.sum[b]);
                        case Q5_K -> dx * (data.get(F32, supers + 4L * (i / 8)) * i0 * (lo + hi + 16 * x.sum[b])
                                - data.get(F32, supers + 4L * (LANES / 8 + i / 8)) * i1 * x.sum[b]);
                        case Q5_0 -> data.get(F32, tail + 4L * i) * dx * (lo + hi);
                        case Q3_K -> dx * data.get(F32, supers + 4L * (i / 8)) * (i0 * (lo - 4 * x.sumLo[b]) + i1 * (hi - 4 * x.sumHi[b]));
                        default -> dx * data.get(F32, supers + 4L * (i / 8)) * (i0 * lo + i1 * hi);
                    };
                }
            }
            out[oo + r] = (float) acc;
        }
    }
}
