package dev.qwen4j.tensor.quant;

/**
 * An activation vector quantized to 8 bits per 32-value block (as llama.cpp's Q8_0: d = max|x|/127,
 * q = round(x/d)) and stored transposed for the {@link InterleavedRows} kernels: blocks are taken {@link #LANES}
 * at a time (a group), and within a group value j of block i sits at {@code q[group·32·LANES + j·LANES + i]}, so
 * one vector load gives value j of LANES consecutive blocks. The codes are held as shorts because the kernels
 * multiply in 16-bit lanes. A partial last group is padded with zero blocks.
 */
public final class Q8Lanes {
    /** Blocks per group: the 16-bit lanes of the preferred vector shape (32 with AVX-512, 16 with AVX2). */
    public static final int LANES = InterleavedRows.LANES;
    static final int BLOCK = 32;

    short[] q = new short[0];
    /** Per block: the scale d, Σq over all 32 values, Σq over values 0–15 and over 16–31. */
    float[] d = new float[0];
    int[] sum = new int[0], sumLo = new int[0], sumHi = new int[0];
    /** −d·Σq per block, over all 32 values and over each half: the offsets and mins fold in as scale·these. */
    float[] negSum = new float[0], negSumLo = new float[0], negSumHi = new float[0];
    int cols, groups;

    /** Groups of LANES blocks that cols values fill (the last possibly partly). */
    public static int groups(int cols) {
        return (cols / BLOCK + LANES - 1) / LANES;
    }

    /** Quantizes x[xo .. xo + cols); cols is a multiple of 32. */
    public void quantize(float[] x, int xo, int cols) {
        if (cols % BLOCK != 0) throw new IllegalArgumentException(cols + " columns are not whole blocks of " + BLOCK);
        this.cols = cols;
        this.groups = groups(cols);
        int blocks = groups * LANES;
        if (d.length < blocks) {
            q = new short[blocks * BLOCK];
            d = new float[blocks];
            sum = new int[blocks];
            sumLo = new int[blocks];
            sumHi = new int[blocks];
            negSum = new float[blocks];
            negSumLo = new float[blocks];
            negSumHi = new float[blocks];
        }
        int real = cols / BLOCK;
        for (int b = 0; b < blocks; b++) {
            int g = b / LANES, i = b % LANES, base = g * BLOCK * LANES + i;
            if (b >= real) {
                for (int j = 0; j < BLOCK; j++) q[base + j * LANES] = 0;
                d[b] = 0f;
                sum[b] = sumLo[b] = sumHi[b] = 0;
                negSum[b] = negSumLo[b] = negSumHi[b] = 0f;
                continue;
            }
            int xb = xo + b * BLOCK;
            float amax = 0f;
            for (int j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(x[xb + j]));
            float scale = amax / 127f, inv = amax == 0f ? 0f : 127f / amax;
            d[b] = scale;
            int lo = 0, hi = 0;
            for (int j = 0; j < BLOCK; j++) {
                int v = Math.round(x[xb + j] * inv);
                q[base + j * LANES] = (short) v;
                if (j < 16) lo += v;
                else hi += v;
            }
            sumLo[b] = lo;
            sumHi[b] = hi;
            sum[b] = lo + hi;
            negSum[b] = -scale * (lo + hi);
            negSumLo[b] = -scale * lo;
            negSumHi[b] = -scale * hi;
        }
    }

    /** The dequantized value c (tests). */
    public float value(int c) {
        int b = c / BLOCK, j = c % BLOCK;
        return q[(b / LANES) * BLOCK * LANES + j * LANES + b % LANES] * d[b];
    }

    public int cols() {
        return cols;
    }
}
