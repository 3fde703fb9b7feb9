package dev.qwen4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Q4_1, Q5_1, Q3_K and Q2_K, called directly (they are not wired into DType yet): hand-packed blocks
 * against the layout, quantizer bytes derived by hand and checked against llama.cpp's, and the vector
 * kernels against their scalar twins.
 */
class MoreQuantFormatsTest {
    interface Quantizer { void quantize(float[] x, int xOff, int n, MemorySegment dst, long off); }
    interface Dequantizer { void dequantize(MemorySegment src, long off, float[] y, int yOff, int n); }
    interface Getter { float get(MemorySegment src, long off, int i); }
    interface Dot { float dot(MemorySegment w, long off, int cols, float[] x, int xo); }

    enum Fmt {
        q4_1(Q4_1.QK, Q4_1.BYTES, Q4_1::quantizeRow, Q4_1::dequantizeRow, Q4_1::dequantizeRowVector, Q4_1::get, Q4_1::dot, Q4_1::dotScalar),
        q5_1(Q5_1.QK, Q5_1.BYTES, Q5_1::quantizeRow, Q5_1::dequantizeRow, Q5_1::dequantizeRowVector, Q5_1::get, Q5_1::dot, Q5_1::dotScalar),
        q3_K(Q3_K.QK, Q3_K.BYTES, Q3_K::quantizeRow, Q3_K::dequantizeRow, Q3_K::dequantizeRowVector, Q3_K::get, Q3_K::dot, Q3_K::dotScalar),
        q2_K(Q2_K.QK, Q2_K.BYTES, Q2_K::quantizeRow, Q2_K::dequantizeRow, Q2_K::dequantizeRowVector, Q2_K::get, Q2_K::dot, Q2_K::dotScalar);

        final int qk, bytes;
        final Quantizer quantize;
        final Dequantizer dequantize, dequantizeVector;
        final Getter get;
        final Dot dot, dotScalar;

        Fmt(int qk, int bytes, Quantizer q, Dequantizer dq, Dequantizer dqv, Getter g, Dot d, Dot ds) {
            this.qk = qk;
            this.bytes = bytes;
            this.quantize = q;
            this.dequantize = dq;
            this.dequantizeVector = dqv;
            this.get = g;
            this.dot = d;
            this.dotScalar = ds;
        }

        long rowBytes(int n) { return (long) n / qk * bytes; }
    }

    /** A native segment of the given bytes, starting at an odd address offset (no alignment assumed). */
    private static MemorySegment segment(byte[] b) {
        MemorySegment s = Arena.ofAuto().allocate(b.length + 3L, 64).asSlice(3, b.length);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
        return s;
    }

    private static byte[] quantize(Fmt f, float[] x) {
        MemorySegment out = Arena.ofAuto().allocate(f.rowBytes(x.length));
        f.quantize.quantize(x, 0, x.length, out, 0);
        return out.toArray(ValueLayout.JAVA_BYTE);
    }

    private static void putF16(byte[] b, int off, float v) {
        short h = Float.floatToFloat16(v);
        assertThat(Float.float16ToFloat(h)).as("test value exact in f16").isEqualTo(v);
        b[off] = (byte) h;
        b[off + 1] = (byte) (h >> 8);
    }

    /** dequantizeRow, its vector twin and get over every value all give {@code expected}, bit for bit. */
    private static void assertDecodes(Fmt f, byte[] blocks, float[] expected) {
        MemorySegment s = segment(blocks);
        int n = expected.length;
        float[] y = new float[n + 7];
        f.dequantize.dequantize(s, 0, y, 7, n);
        assertThat(java.util.Arrays.copyOfRange(y, 7, n + 7)).as("%s scalar", f).containsExactly(expected);
        float[] v = new float[n + 7];
        f.dequantizeVector.dequantize(s, 0, v, 7, n);
        assertThat(java.util.Arrays.copyOfRange(v, 7, n + 7)).as("%s vector", f).containsExactly(expected);
        for (int i = 0; i < n; i++) assertThat(f.get.get(s, 0, i)).as("%s get(%d)", f, i).isEqualTo(expected[i]);
    }

    // ---- 1. hand-packed blocks decode to what the layout says ----

    @Test
    void q4_1HandPackedBlocks() {
        // two blocks {f16 d; f16 m; qs[16]}: value j < 16 = (qs[j] & 15)·d + m, value 16 + j = (qs[j] >> 4)·d + m
        float[] d = {0.5f, -0.125f}, m = {-1.25f, 3f};
        byte[] b = new byte[2 * 20];
        new Random(1).nextBytes(b);
        float[] expected = new float[64];
        for (int blk = 0; blk < 2; blk++) {
            putF16(b, 20 * blk, d[blk]);
            putF16(b, 20 * blk + 2, m[blk]);
            for (int j = 0; j < 32; j++) {
                int q = b[20 * blk + 4 + j % 16] & 0xFF;
                int nib = j < 16 ? q % 16 : q / 16;
                expected[32 * blk + j] = nib * d[blk] + m[blk];
            }
        }
        assertDecodes(Fmt.q4_1, b, expected);
    }

    @Test
    void q5_1HandPackedBlocks() {
        // {f16 d; f16 m; qh[4] (LE uint32); qs[16]}: value j < 16 = (lo nibble of qs[j] | bit j of qh << 4)·d + m,
        // value 16 + j = (hi nibble | bit 16 + j << 4)·d + m; qh patterns with set and unset bits in both halves
        float[] d = {0.25f, -0.0625f, 1f}, m = {-4f, 0.5f, 0f};
        long[] qh = {0xA5C30F96L, 0x0000FFFFL, 0xFFFF0001L};
        byte[] b = new byte[3 * 24];
        new Random(2).nextBytes(b);
        float[] expected = new float[96];
        for (int blk = 0; blk < 3; blk++) {
            int o = 24 * blk;
            putF16(b, o, d[blk]);
            putF16(b, o + 2, m[blk]);
            for (int k = 0; k < 4; k++) b[o + 4 + k] = (byte) (qh[blk] >> (8 * k));
            for (int j = 0; j < 32; j++) {
                int q = b[o + 8 + j % 16] & 0xFF;
                int nib = j < 16 ? q % 16 : q / 16;
                int high = (int) ((qh[blk] >> j) & 1);
                expected[32 * blk + j] = (nib + 16 * high) * d[blk] + m[blk];
            }
        }
        assertDecodes(Fmt.q5_1, b, expected);
    }

    @Test
    void q3_KHandPackedBlocks() {
        // {hmask[32]; qs[64]; scales[12]; f16 d}. Stored 6-bit scales S_j (value S_j − 32): low nibble in
        // scales[j % 8] (low nibble for j < 8, high for j ≥ 8), top two bits at bit 2·(j/4) of scales[8 + j % 4].
        // Value k: sub-block k/16, 2-bit q = bits 2s of qs[32h + l] (h = k/128, s = (k%128)/32, l = k%32),
        // high bit = bit k/32 of hmask[k%32]; value = d·(S − 32)·(q − (bit ? 0 : 4)).
        int[][] stored = {
            {0, 63, 32, 31, 33, 1, 62, 16, 48, 5, 40, 24, 57, 8, 44, 20},
            {47, 32, 0, 15, 17, 63, 30, 34, 2, 61, 9, 55, 23, 41, 12, 36},
        };
        float[] d = {0.25f, -0.5f};
        byte[] b = new byte[2 * 110];
        new Random(3).nextBytes(b);
        float[] expected = new float[512];
        for (int blk = 0; blk < 2; blk++) {
            int o = 110 * blk;
            for (int k = 0; k < 12; k++) b[o + 96 + k] = 0;
            for (int j = 0; j < 16; j++) {
                int sj = stored[blk][j];
                b[o + 96 + j % 8] |= (byte) ((sj & 0xF) << (j < 8 ? 0 : 4));
                b[o + 96 + 8 + j % 4] |= (byte) ((sj >> 4) << (2 * (j / 4)));
            }
            putF16(b, o + 108, d[blk]);
            for (int k = 0; k < 256; k++) {
                int h = k / 128, s = (k % 128) / 32, l = k % 32;
                int q = ((b[o + 32 + 32 * h + l] & 0xFF) >> (2 * s)) & 3;
                boolean high = ((b[o + l] >> (k / 32)) & 1) == 1;
                int level = high ? q : q - 4;
                expected[256 * blk + k] = d[blk] * (stored[blk][k / 16] - 32) * level;
            }
        }
        // the random hmask bytes hold both set and unset bits, the scales both signs and both extremes
        assertDecodes(Fmt.q3_K, b, expected);
    }

    @Test
    void q2_KHandPackedBlocks() {
        // {scales[16]; qs[64]; f16 d; f16 dmin}: sub-block j has scale scales[j] & 15 and min scales[j] >> 4;
        // value k: q = bits 2s of qs[32h + l] (h = k/128, s = (k%128)/32, l = k%32), value = d·sc·q − dmin·min
        float[] d = {0.5f, 2f}, dmin = {0.125f, -0.25f};
        byte[] b = new byte[2 * 84];
        new Random(4).nextBytes(b);
        b[0] = 0x0F; // scale 15, min 0
        b[1] = (byte) 0xF0; // scale 0, min 15
        b[84 + 5] = 0;
        float[] expected = new float[512];
        for (int blk = 0; blk < 2; blk++) {
            int o = 84 * blk;
            putF16(b, o + 80, d[blk]);
            putF16(b, o + 82, dmin[blk]);
            for (int k = 0; k < 256; k++) {
                int h = k / 128, s = (k % 128) / 32, l = k % 32;
                int q = ((b[o + 16 + 32 * h + l] & 0xFF) >> (2 * s)) & 3;
                int sc = b[o + k / 16] & 0xFF;
                expected[256 * blk + k] = d[blk] * (sc % 16) * q - dmin[blk] * (sc / 16);
            }
        }
        assertDecodes(Fmt.q2_K, b, expected);
    }

    // ---- 2. quantizers: bytes derived by hand, llama.cpp's bytes, round-trip error ----

    private static byte f16lo(int h) { return (byte) h; }
    private static byte f16hi(int h) { return (byte) (h >> 8); }

    @Test
    void q4_1ExactGrid() {
        // block 0: x = −1 + 0.25·k with k = (7j + 3) mod 16 (every k twice): min −1, max 2.75, d = 3.75/15 = 0.25
        // and id = 4 exactly, so (x − min)·id = k. Two values off the grid test the rounding: (x − min)·id = 2.5
        // gives 2.5 + 0.5 = 3 (half up, not to even) and 7.25 gives trunc(7.75) = 7.
        // block 1: constant 0.7: d = 0, id = 0, every level 0, m = f16(0.7).
        float[] x = new float[64];
        int[] k = new int[32];
        for (int j = 0; j < 32; j++) {
            k[j] = (7 * j + 3) % 16;
            x[j] = -1f + 0.25f * k[j];
        }
        x[5] = -0.375f; // k 6 → level 3
        k[5] = 3;
        x[21] = 0.8125f; // k 6 → level 7
        k[21] = 7;
        for (int j = 32; j < 64; j++) x[j] = 0.7f;
        byte[] expected = new byte[40];
        expected[0] = f16lo(0x3400); // 0.25
        expected[1] = f16hi(0x3400);
        expected[2] = f16lo(0xBC00); // −1
        expected[3] = f16hi(0xBC00);
        for (int j = 0; j < 16; j++) expected[4 + j] = (byte) (k[j] | (k[j + 16] << 4));
        short m = Float.floatToFloat16(0.7f);
        expected[22] = (byte) m;
        expected[23] = (byte) (m >> 8);
        assertThat(quantize(Fmt.q4_1, x)).containsExactly(expected);
    }

    @Test
    void q5_1ExactGrid() {
        // x = −2 + 0.125·k with k = (9j + 5) mod 32 (each k once): d = 3.875/31 = 0.125, id = 8, levels k, the
        // fifth bits k >> 4 in qh. Off-grid: level 6.5 → trunc(7.0) = 7, 20.4375 → trunc(20.9375) = 20.
        float[] x = new float[32];
        int[] k = new int[32];
        for (int j = 0; j < 32; j++) {
            k[j] = (9 * j + 5) % 32;
            x[j] = -2f + 0.125f * k[j];
        }
        x[1] = -1.1875f;
        k[1] = 7;
        x[2] = 0.5546875f;
        k[2] = 20;
        byte[] expected = new byte[24];
        expected[1] = 0x30; // 0.125
        expected[3] = (byte) 0xC0; // −2
        long qh = 0;
        for (int j = 0; j < 16; j++) {
            expected[8 + j] = (byte) ((k[j] & 15) | ((k[j + 16] & 15) << 4));
            qh |= (long) (k[j] >> 4) << j;
            qh |= (long) (k[j + 16] >> 4) << (j + 16);
        }
        for (int i = 0; i < 4; i++) expected[4 + i] = (byte) (qh >> (8 * i));
        assertThat(quantize(Fmt.q5_1, x)).containsExactly(expected);
    }

    @Test
    void q3_KExactGrid() {
        // Sub-block j holds k·s_j, k = ((3i + j) mod 8) − 4 (each level twice). make_q3_quants: the largest
        // magnitude is k = −4, so iscale = −4/(−4·s_j) = 1/s_j gives levels k; with weights x² every sum is
        // exact (s_j has few bits), each level already is x·Σ'/Σ'' = k so the rmse passes change nothing, and
        // the scale is Σ k⁴s³ / Σ k⁴s² = s_j. Then max_scale = s_0 = 1, iscale = −32, d = f16(−1/32) = 0xA800,
        // l_j = nearest(−32·s_j) clamped to [−32, 31], stored l_j + 32; requantizing with d·l_j gives k again:
        // s = −1 clamps to 31 (d·31 = 31/32: k·32/31 still rounds to k); s = ±1/64 rounds (to even) to l = 0,
        // so d·l = 0 and the search's levels stay; sub-block 15 is all zero: levels 0 (not 4), scale 0.
        float[] s = {1f, 0.5f, -0.5f, -1f, 0.25f, -0.125f, 1f / 32, -1f / 32, 1f / 64, -1f / 64, 0.75f, -0.375f, 0.125f, -0.25f, -0.75f, 0f};
        int[] l = {-32, -16, 16, 31, -8, 4, -1, 1, 0, 0, -24, 12, -4, 8, 24, 0};
        float[] x = new float[256];
        int[] level = new int[256]; // 0..7 = k + 4
        for (int j = 0; j < 16; j++) {
            for (int i = 0; i < 16; i++) {
                int k = (3 * i + j) % 8 - 4;
                x[16 * j + i] = k * s[j];
                level[16 * j + i] = j == 15 ? 0 : k + 4;
            }
        }
        byte[] expected = new byte[110];
        for (int idx = 0; idx < 256; idx++) {
            if (level[idx] > 3) expected[idx % 32] |= (byte) (1 << (idx / 32));
        }
        for (int idx = 0; idx < 256; idx++) {
            int h = idx / 128, sh = (idx % 128) / 32, ll = idx % 32;
            expected[32 + 32 * h + ll] |= (byte) ((level[idx] & 3) << (2 * sh));
        }
        for (int j = 0; j < 16; j++) {
            int st = l[j] + 32;
            expected[96 + j % 8] |= (byte) ((st & 0xF) << (j < 8 ? 0 : 4));
            expected[96 + 8 + j % 4] |= (byte) ((st >> 4) << (2 * (j / 4)));
        }
        expected[108] = 0x00;
        expected[109] = (byte) 0xA8;
        assertThat(quantize(Fmt.q3_K, x)).containsExactly(expected);
    }

    @Test
    void q2_KExactGrid() {
        // Sub-block j holds k·a_j − m_j/16 with k = (3i + j) mod 4 and a_j a power of two: make_qkx2_quants starts
        // at iscale = 3/(3a_j) = 1/a_j, which fits exactly (error 0, no search step can beat it): scale a_j, min
        // m_j/16. max_scale = 1 → nibble l_j = nearest(15·a_j): 1 → 15, ½ → 7.5 → 8 (to even), ¼ → 4, ⅛ → 2,
        // 1/16 → 1, 1/32 → 0; d = f16(1/15) = 0x2C44. max_min = 15/16 → min nibble nearest(16·m_j/16) = m_j,
        // dmin = f16(1/16) = 0x2C00 exactly, so requantizing (x + m_j/16)/(d·l_j) = k·a_j/(d·l_j) ∈ k·{0.9375, 1.0}
        // rounds back to k; l_j = 0 leaves the search's levels. Sub-block 15 is all zero (scale and min 0).
        float[] a = {1f, 0.5f, 0.25f, 0.125f, 0.0625f, 1f / 32, 1f, 0.5f, 0.25f, 1f / 32, 0.125f, 1f, 0.0625f, 0.5f, 1f, 0f};
        int[] ls = {15, 8, 4, 2, 1, 0, 15, 8, 4, 0, 2, 15, 1, 8, 15, 0};
        int[] ms = {15, 0, 7, 1, 15, 3, 0, 9, 12, 2, 5, 4, 0, 15, 8, 0};
        float[] x = new float[256];
        int[] level = new int[256];
        for (int j = 0; j < 16; j++) {
            for (int i = 0; i < 16; i++) {
                int k = j == 15 ? 0 : (3 * i + j) % 4;
                x[16 * j + i] = k * a[j] - ms[j] / 16f;
                level[16 * j + i] = k;
            }
        }
        byte[] expected = new byte[84];
        for (int j = 0; j < 16; j++) expected[j] = (byte) (ls[j] | (ms[j] << 4));
        for (int idx = 0; idx < 256; idx++) {
            int h = idx / 128, sh = (idx % 128) / 32, ll = idx % 32;
            expected[16 + 32 * h + ll] |= (byte) (level[idx] << (2 * sh));
        }
        expected[80] = 0x44;
        expected[81] = 0x2C;
        expected[82] = 0x00;
        expected[83] = 0x2C;
        assertThat(quantize(Fmt.q2_K, x)).containsExactly(expected);
    }

    @ParameterizedTest
    @EnumSource(Fmt.class)
    void allZeroInputGivesZeroOutput(Fmt f) {
        float[] x = new float[512];
        byte[] b = quantize(f, x);
        float[] back = new float[512];
        f.dequantize.dequantize(segment(b), 0, back, 0, 512);
        for (float v : back) assertThat(v == 0f).as("%s", f).isTrue(); // −0 allowed (Q3_K's d·0·(0 − 4))
    }

    /**
     * The test input of {@link #matchesLlamaCpp}: eight 1024-value rows of different shapes (Gaussian, offset,
     * uniform, zero sub-blocks, a coarse grid, outliers, all negative, tiny).
     */
    static float[] goldenInput() {
        Random rnd = new Random(42);
        float[] x = new float[8 * 1024];
        for (int i = 0; i < x.length; i++) {
            int c = i % 1024;
            x[i] = switch (i / 1024) {
                case 0 -> (float) rnd.nextGaussian();
                case 1 -> (float) (rnd.nextGaussian() * 0.02 + 0.05);
                case 2 -> (float) rnd.nextDouble();
                case 3 -> (c / 16) % 3 == 0 ? 0f : (float) rnd.nextGaussian();
                case 4 -> (rnd.nextInt(9) - 4) * 0.25f;
                case 5 -> (float) (rnd.nextGaussian() * (rnd.nextInt(50) == 0 ? 30 : 1));
                case 6 -> (float) (-Math.abs(rnd.nextGaussian()) * 3);
                default -> (float) (rnd.nextGaussian() * 1e-4);
            };
        }
        return x;
    }

    /**
     * CRC32 of the bytes llama.cpp's quantize_row_*_ref (ggml-quants.c, built with gcc -O2, no FMA
     * contraction) writes for {@link #goldenInput()}.
     */
    @ParameterizedTest
    @EnumSource(Fmt.class)
    void matchesLlamaCpp(Fmt f) {
        long expected = switch (f) {
            case q4_1 -> 0x514fe796L;
            case q5_1 -> 0x9fe4e09bL;
            case q3_K -> 0x9d4903ccL;
            case q2_K -> 0x05403d4aL;
        };
        CRC32 crc = new CRC32();
        crc.update(quantize(f, goldenInput()));
        assertThat(Long.toHexString(crc.getValue())).isEqualTo(Long.toHexString(expected));
    }

    @ParameterizedTest
    @EnumSource(Fmt.class)
    void roundTripErrorIsBounded(Fmt f) {
        Random rnd = new Random(10 + f.ordinal());
        int n = 256 * 64;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextGaussian() * ((i / 256) % 4 == 0 ? 0.01 : 1.0));
        MemorySegment q = segment(quantize(f, x));
        float[] y = new float[n];
        f.dequantize.dequantize(q, 0, y, 0, n);
        if (f.qk == 32) {
            // levels are (x − min)/d rounded: within d/2, plus the f16 rounding of d (≤ 31 levels) and of m
            for (int b = 0; b < n / 32; b++) {
                float d = Blocks.f16(q, (long) b * f.bytes), m = Blocks.f16(q, (long) b * f.bytes + 2);
                float bound = 0.52f * d + Math.abs(m) / 1024 + 1e-7f;
                for (int i = 32 * b; i < 32 * b + 32; i++) {
                    assertThat(Math.abs(y[i] - x[i])).as("%s value %d", f, i).isLessThanOrEqualTo(bound);
                }
            }
        } else {
            // 2 and 3 bits clamp outliers, so bound the relative RMS error (measured: Q3_K 0.15, Q2_K 0.30 on
            // Gaussian data) and the largest error against the block's largest magnitude
            double se = 0, sx = 0;
            for (int b = 0; b < n / 256; b++) {
                float amax = 0;
                for (int i = 256 * b; i < 256 * b + 256; i++) amax = Math.max(amax, Math.abs(x[i]));
                for (int i = 256 * b; i < 256 * b + 256; i++) {
                    float e = Math.abs(y[i] - x[i]);
                    assertThat(e).as("%s value %d", f, i).isLessThanOrEqualTo(0.5f * amax);
                    se += (double) e * e;
                    sx += (double) x[i] * x[i];
                }
            }
            assertThat(Math.sqrt(se / sx)).as("%s relative rms error", f).isLessThan(f == Fmt.q3_K ? 0.17 : 0.32);
        }
    }

    // ---- 3 and 4. kernels against their twins ----

    private static MemorySegment randomRows(Random rnd, Fmt f, int rows, int cols) {
        float[] row = new float[cols];
        long rb = f.rowBytes(cols);
        MemorySegment data = Arena.ofAuto().allocate(rows * rb + 3, 64).asSlice(3, rows * rb);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) row[c] = (float) (rnd.nextGaussian() * (r % 3 == 0 ? 0.02 : 1.0)) + (c % 7 == 0 ? 0.1f : 0f);
            f.quantize.quantize(row, 0, cols, data, r * rb);
        }
        return data;
    }

    private static int[] widths(Fmt f) {
        // 32-value formats with odd block counts (1, 3, 5, 9, 39 blocks)
        return f.qk == 32 ? new int[] {32, 96, 160, 288, 1248} : new int[] {256, 512, 1280};
    }

    @ParameterizedTest
    @EnumSource(Fmt.class)
    void dotMatchesDequantizedDot(Fmt f) {
        Random rnd = new Random(100 + f.ordinal());
        for (int cols : widths(f)) {
            int rows = 7;
            MemorySegment w = randomRows(rnd, f, rows, cols);
            float[] x = new float[cols + 5];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] deq = new float[cols];
            for (int r = 0; r < rows; r++) {
                long off = r * f.rowBytes(cols);
                f.dequantize.dequantize(w, off, deq, 0, cols);
                double ref = 0, mag = 0;
                for (int c = 0; c < cols; c++) {
                    ref += (double) deq[c] * x[5 + c];
                    mag += Math.abs((double) deq[c] * x[5 + c]);
                }
                double tol = 1e-5 * mag + 1e-6;
                assertThat((double) f.dot.dot(w, off, cols, x, 5)).as("%s vector cols=%d r=%d", f, cols, r).isCloseTo(ref, within(tol));
                assertThat((double) f.dotScalar.dot(w, off, cols, x, 5)).as("%s scalar cols=%d r=%d", f, cols, r).isCloseTo(ref, within(tol));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Fmt.class)
    void vectorDequantizeAndGetMatchScalar(Fmt f) {
        Random rnd = new Random(300 + f.ordinal());
        for (int cols : widths(f)) {
            int rows = 5;
            MemorySegment w = randomRows(rnd, f, rows, cols);
            // plus raw random bytes (every bit pattern of the level and scale fields), with finite f16 scales
            byte[] raw = new byte[(int) f.rowBytes(cols)];
            rnd.nextBytes(raw);
            MemorySegment r2 = segment(raw);
            for (MemorySegment seg : new MemorySegment[] {w, r2}) {
                for (int r = 0; r < (seg == w ? rows : 1); r++) {
                    long off = r * f.rowBytes(cols);
                    if (seg == r2) fixScales(f, r2, cols);
                    float[] s = new float[cols + 3], v = new float[cols + 3];
                    f.dequantize.dequantize(seg, off, s, 3, cols);
                    f.dequantizeVector.dequantize(seg, off, v, 3, cols);
                    for (int c = 0; c < cols; c++) {
                        assertThat(Float.floatToRawIntBits(v[3 + c])).as("%s vector c=%d", f, c).isEqualTo(Float.floatToRawIntBits(s[3 + c]));
                        assertThat(Float.floatToRawIntBits(f.get.get(seg, off, c))).as("%s get c=%d", f, c).isEqualTo(Float.floatToRawIntBits(s[3 + c]));
                    }
                }
            }
        }
    }

    /** Random bytes but with finite, moderate f16 d (and m/dmin), so the comparison is not of NaNs. */
    private static void fixScales(Fmt f, MemorySegment s, int cols) {
        Random rnd = new Random(cols);
        for (int b = 0; b < cols / f.qk; b++) {
            long o = (long) b * f.bytes;
            long[] at = switch (f) {
                case q4_1, q5_1 -> new long[] {0, 2};
                case q3_K -> new long[] {108};
                case q2_K -> new long[] {80, 82};
            };
            for (long p : at) Blocks.putF16(s, o + p, (float) rnd.nextGaussian());
        }
    }
}
