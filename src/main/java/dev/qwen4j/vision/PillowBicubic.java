package dev.qwen4j.vision;

import dev.qwen4j.tensor.Parallel;

/**
 * Bicubic resize that reproduces Pillow's {@code Image.resize(size, BICUBIC, reducing_gap=None)} on
 * 8-bit RGB bit for bit (Pillow's libImaging/Resample.c algorithm, re-derived, not ported).
 *
 * <p>Two separable passes, horizontal first, each rounded and clamped to uint8 before the next:
 * <ul>
 *   <li>cubic convolution kernel with a = −0.5, support 2, widened by the scale factor when
 *       downscaling (so shrinking antialiases);</li>
 *   <li>per output sample the window is [⌊c − s + ½⌋, ⌊c + s + ½⌋) around the centre c = (i + ½)·scale,
 *       clipped to the image, the taps normalised to sum 1 in double;</li>
 *   <li>taps then become 22-bit fixed point (round half away from zero), sums start at ½ and the
 *       result is {@code clamp(sum >> 22, 0, 255)}.</li>
 * </ul>
 * The horizontal pass only runs over the source rows the vertical pass will read, as Pillow does.
 * Rows are split across {@link Parallel} workers; every output value is computed the same way
 * whatever the split, so results do not depend on the thread count.
 */
public final class PillowBicubic {
    static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);
    private static final double SUPPORT = 2.0;
    private static final int CHANNELS = 3;

    private PillowBicubic() {}

    /** Returns {@code src} resized to outWidth × outHeight (a copy when the size is unchanged). */
    public static RgbImage resize(RgbImage src, int outWidth, int outHeight) {
        if (outWidth <= 0 || outHeight <= 0)
            throw new IllegalArgumentException("target size must be positive, got " + outWidth + "x" + outHeight);
        boolean horizontal = outWidth != src.width();
        boolean vertical = outHeight != src.height();
        if (!horizontal && !vertical) return new RgbImage(src.width(), src.height(), src.pixels().clone());

        Taps vTaps = Taps.of(src.height(), outHeight);
        byte[] rows = src.pixels();
        int rowsWidth = src.width();
        int firstRow = 0;
        if (horizontal) {
            // Only the source rows some output row reads; the vertical taps are shifted to match.
            firstRow = vTaps.start[0];
            int lastRow = vTaps.start[outHeight - 1] + vTaps.count[outHeight - 1];
            rows = horizontalPass(src, Taps.of(src.width(), outWidth), firstRow, lastRow);
            rowsWidth = outWidth;
            if (!vertical) return new RgbImage(outWidth, outHeight, rows);
        }
        return new RgbImage(outWidth, outHeight, verticalPass(rows, rowsWidth, firstRow, vTaps));
    }

    private static byte[] horizontalPass(RgbImage src, Taps taps, int firstRow, int lastRow) {
        int inStride = src.width() * CHANNELS;
        int outW = taps.outSize;
        int outStride = outW * CHANNELS;
        byte[] in = src.pixels();
        byte[] out = new byte[(lastRow - firstRow) * outStride];
        int[] kk = taps.fixed;
        int ksize = taps.ksize;
        Parallel.forRange(lastRow - firstRow, 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                int inRow = (r + firstRow) * inStride;
                int outRow = r * outStride;
                for (int xx = 0; xx < outW; xx++) {
                    int k0 = xx * ksize;
                    int n = taps.count[xx];
                    int p = inRow + taps.start[xx] * CHANNELS;
                    int s0 = HALF, s1 = HALF, s2 = HALF;
                    for (int x = 0; x < n; x++, p += CHANNELS) {
                        int k = kk[k0 + x];
                        s0 += (in[p] & 0xFF) * k;
                        s1 += (in[p + 1] & 0xFF) * k;
                        s2 += (in[p + 2] & 0xFF) * k;
                    }
                    int o = outRow + xx * CHANNELS;
                    out[o] = clip8(s0);
                    out[o + 1] = clip8(s1);
                    out[o + 2] = clip8(s2);
                }
            }
        });
        return out;
    }

    /** Rows of {@code in} start at source row {@code firstRow}; every byte column is filtered independently. */
    private static byte[] verticalPass(byte[] in, int width, int firstRow, Taps taps) {
        int stride = width * CHANNELS;
        int outH = taps.outSize;
        byte[] out = new byte[outH * stride];
        int[] kk = taps.fixed;
        int ksize = taps.ksize;
        Parallel.forRange(outH, 4, (from, to) -> {
            int[] acc = new int[stride];
            for (int yy = from; yy < to; yy++) {
                java.util.Arrays.fill(acc, HALF);
                int k0 = yy * ksize;
                int ymin = taps.start[yy] - firstRow;
                int n = taps.count[yy];
                for (int y = 0; y < n; y++) {
                    int k = kk[k0 + y];
                    int base = (ymin + y) * stride;
                    for (int j = 0; j < stride; j++) acc[j] += (in[base + j] & 0xFF) * k;
                }
                int o = yy * stride;
                for (int j = 0; j < stride; j++) out[o + j] = clip8(acc[j]);
            }
        });
        return out;
    }

    static byte clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Pillow's cubic kernel, a = −0.5, evaluated with the same operation order (it decides last bits). */
    static double cubic(double x) {
        final double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /** The filter taps for one axis: for output i, {@code count[i]} weights starting at source index {@code start[i]}. */
    static final class Taps {
        final int outSize, ksize;
        final int[] start, count;
        /** Normalised weights in double, {@code ksize} per output (unused slots are 0). */
        final double[] weights;
        /** The same weights in PRECISION_BITS fixed point. */
        final int[] fixed;

        private Taps(int outSize, int ksize) {
            this.outSize = outSize;
            this.ksize = ksize;
            this.start = new int[outSize];
            this.count = new int[outSize];
            this.weights = new double[outSize * ksize];
            this.fixed = new int[outSize * ksize];
        }

        static Taps of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            long ksizeL = (long) Math.ceil(support) * 2 + 1;
            if (ksizeL * outSize > Integer.MAX_VALUE / 8)
                throw new IllegalArgumentException("resize " + inSize + " -> " + outSize + " needs too many filter taps");
            Taps t = new Taps(outSize, (int) ksizeL);
            double inv = 1.0 / filterScale;
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                // C's (int) cast truncates toward zero; negative values are clipped to 0 right after.
                int lo = Math.max(0, (int) (center - support + 0.5));
                int hi = Math.min(inSize, (int) (center + support + 0.5));
                int n = hi - lo;
                int k0 = i * t.ksize;
                double sum = 0.0;
                for (int x = 0; x < n; x++) {
                    double w = cubic((x + lo - center + 0.5) * inv);
                    t.weights[k0 + x] = w;
                    sum += w;
                }
                if (sum != 0.0) for (int x = 0; x < n; x++) t.weights[k0 + x] /= sum;
                for (int x = 0; x < t.ksize; x++) {
                    double w = t.weights[k0 + x];
                    t.fixed[k0 + x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
                }
                t.start[i] = lo;
                t.count[i] = n;
            }
            return t;
        }
    }
}
