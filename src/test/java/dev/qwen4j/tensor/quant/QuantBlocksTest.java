package dev.qwen4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qwen4j.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Blocks whose llama.cpp bytes follow by hand from quantize_row_*_ref: inputs chosen so every scale, level
 * and rounding step is exact (the derivations are in the comments), checked byte for byte.
 */
class QuantBlocksTest {
    private static byte[] quantize(DType t, float[] x) {
        MemorySegment out = Arena.ofAuto().allocate(t.byteSize(x.length));
        QuantRows.quantize(t, x, 0, x.length, out, 0);
        return out.toArray(ValueLayout.JAVA_BYTE);
    }

    private static byte f16lo(float v) { return (byte) Float.floatToFloat16(v); }
    private static byte f16hi(float v) { return (byte) (Float.floatToFloat16(v) >> 8); }

    @Test
    void q8_0RoundsHalvesAwayFromZero() {
        // amax 127 → d = 1, id = 1; roundf sends ±2.5 to ±3 and ±0.5 to ±1 (Math.round would give -2 and 0)
        float[] x = new float[32];
        float[] in = {127f, 2.5f, -2.5f, 0.5f, -0.5f, 1.49f, -126.6f};
        System.arraycopy(in, 0, x, 0, in.length);
        byte[] expected = new byte[34];
        expected[0] = 0x00;
        expected[1] = 0x3C; // f16 1.0
        byte[] q = {127, 3, -3, 1, -1, 1, -127};
        System.arraycopy(q, 0, expected, 2, q.length);
        assertThat(quantize(DType.Q8_0, x)).containsExactly(expected);
    }

    @Test
    void q4_0UsesTheSignedMaximumAndTruncates() {
        // first largest magnitude is -8 → d = -8/-8 = 1; q = min(15, (int8)(x + 8.5)): 7 → 15, 0 → 8,
        // 3.4 → 11, -3.6 → 4, 8 (same magnitude, not first) → 16 → clamped 15, -7.6 → 0; x[16] = 1 → 9, x[17] = -1 → 7
        float[] x = new float[32];
        float[] lo = {-8f, 7f, 0f, 3.4f, -3.6f, 8f, -7.6f};
        System.arraycopy(lo, 0, x, 0, lo.length);
        x[16] = 1f;
        x[17] = -1f;
        byte[] expected = new byte[18];
        expected[0] = 0x00;
        expected[1] = 0x3C;
        int[] qs = {0x90, 0x7F, 0x88, 0x8B, 0x84, 0x8F, 0x80};
        for (int i = 0; i < 16; i++) expected[2 + i] = (byte) (i < qs.length ? qs[i] : 0x88);
        assertThat(quantize(DType.Q4_0, x)).containsExactly(expected);
    }

    @Test
    void q4_0PositiveMaximumGivesNegativeScale() {
        // max 8 → d = -1: 8 → q 0, -7 → 15 (15.5 truncated), 0 → 8
        float[] x = new float[32];
        x[0] = 8f;
        x[1] = -7f;
        byte[] b = quantize(DType.Q4_0, x);
        assertThat(Float.float16ToFloat((short) ((b[0] & 0xFF) | (b[1] << 8)))).isEqualTo(-1f);
        assertThat(b[2] & 0xFF).isEqualTo(0x80); // q0 = 0, q16 = 8
        assertThat(b[3] & 0xFF).isEqualTo(0x8F);
    }

    @Test
    void q4_KExactGrid() {
        // sub-block j holds k·0.25 with k = (7i + j) mod 16: min 0, max 3.75, so the first inverse scale 15/3.75 = 4
        // fits exactly (error 0, which no search step can beat): scale 0.25, min 0 in every sub-block.
        // Then ls = nearest(63/0.25 · 0.25) = 63, lm = 0, d = f16(0.25/63), dmin = 0, and requantizing with
        // d·63 = 0.25(1 + ε) still gives k. Packed 6-bit scales: bytes 0-3 = 63 | (63>>4)<<6 = 0xFF, 4-7 = 0,
        // 8-11 = (63 & 15) | 0 = 0x0F.
        float[] x = new float[256];
        int[] k = new int[256];
        for (int j = 0; j < 8; j++) {
            for (int i = 0; i < 32; i++) {
                k[32 * j + i] = (7 * i + j) % 16;
                x[32 * j + i] = k[32 * j + i] * 0.25f;
            }
        }
        byte[] expected = new byte[144];
        float d = 0.25f / 63;
        expected[0] = f16lo(d);
        expected[1] = f16hi(d);
        for (int i = 0; i < 4; i++) expected[4 + i] = (byte) 0xFF;
        for (int i = 8; i < 12; i++) expected[4 + i] = 0x0F;
        for (int g = 0; g < 4; g++) {
            for (int i = 0; i < 32; i++) expected[16 + 32 * g + i] = (byte) (k[64 * g + i] | (k[64 * g + 32 + i] << 4));
        }
        assertThat(quantize(DType.Q4_K, x)).containsExactly(expected);
    }

    @Test
    void q6_KExactGrid() {
        // sub-block ib holds k/64 with k = 4·((5i + ib) mod 16) − 32 ∈ {−32, …, 28}: amax 0.5 at −0.5, so iscale
        // = −32/−0.5 = 64 gives l = k exactly; with weights x² all sums are exact, the least-squares scale is
        // 2^-6 and no candidate beats it (equal products round equally). All 16 scales are 2^-6, so iscale =
        // −128/2^-6, d = f16(−2^-13) = 0x8800, every int8 scale is −128, and d·(−128) = 2^-6 requantizes to k.
        float[] x = new float[256];
        int[] l = new int[256];
        for (int ib = 0; ib < 16; ib++) {
            for (int i = 0; i < 16; i++) {
                int kk = 4 * ((5 * i + ib) % 16) - 32;
                x[16 * ib + i] = kk / 64f;
                l[16 * ib + i] = kk + 32;
            }
        }
        byte[] expected = new byte[210];
        for (int h = 0; h < 2; h++) {
            int j = 128 * h;
            for (int i = 0; i < 32; i++) {
                expected[64 * h + i] = (byte) ((l[j + i] & 0xF) | ((l[j + i + 64] & 0xF) << 4));
                expected[64 * h + i + 32] = (byte) ((l[j + i + 32] & 0xF) | ((l[j + i + 96] & 0xF) << 4));
                expected[128 + 32 * h + i] = (byte) ((l[j + i] >> 4) | ((l[j + i + 32] >> 4) << 2)
                        | ((l[j + i + 64] >> 4) << 4) | ((l[j + i + 96] >> 4) << 6));
            }
        }
        for (int i = 0; i < 16; i++) expected[192 + i] = (byte) 0x80;
        expected[208] = 0x00;
        expected[209] = (byte) 0x88;
        assertThat(quantize(DType.Q6_K, x)).containsExactly(expected);
    }

    @Test
    void q5_0UsesTheSignedMaximumAndSplitsTheFifthBit() {
        // first largest magnitude is -16 → d = 1; q = min(31, (int8)(x + 16.5)): -16 → 0, 15 → 31, 0 → 16,
        // 3.4 → 19, -3.6 → 12, 16 (not first) → 32 → 31, -15.6 → 0; x[16] = 1 → 17, x[17] = -1 → 15
        float[] x = new float[32];
        float[] lo = {-16f, 15f, 0f, 3.4f, -3.6f, 16f, -15.6f};
        System.arraycopy(lo, 0, x, 0, lo.length);
        x[16] = 1f;
        x[17] = -1f;
        // q[0..15] = 0 31 16 19 12 31 0 16…, q[16..31] = 17 15 16…: nibbles pair q[j] | q[16 + j] << 4, and
        // qh bit j = q[j] ≥ 16 (bits 1-3, 5, 7-15: 0xFFAE), bit 16 + j = q[16 + j] ≥ 16 (all but bit 17: 0xFFFD)
        byte[] expected = new byte[22];
        expected[1] = 0x3C;
        int qh = 0xFFFDFFAE;
        for (int i = 0; i < 4; i++) expected[2 + i] = (byte) (qh >>> (8 * i));
        int[] qs = {0x10, 0xFF, 0x00, 0x03, 0x0C, 0x0F, 0x00};
        for (int i = 0; i < qs.length; i++) expected[6 + i] = (byte) qs[i];
        assertThat(quantize(DType.Q5_0, x)).containsExactly(expected);
        float[] back = new float[32];
        QuantRows.dequantize(DType.Q5_0, MemorySegment.ofArray(expected), 0, back, 0, 32);
        assertThat(back[0]).isEqualTo(-16f);
        assertThat(back[1]).isEqualTo(15f);
        assertThat(back[3]).isEqualTo(3f);
        assertThat(back[16]).isEqualTo(1f);
        assertThat(back[17]).isEqualTo(-1f);
    }

    @Test
    void q5_KExactGrid() {
        // as q4_KExactGrid with 32 levels: sub-block j holds k·0.25, k = (7i + j) mod 32 (every level once), so
        // 31/7.75 = 4 fits exactly: scale 0.25, min 0, ls = 63, d = f16(0.25/63), and requantizing gives k.
        // The fifth bit of value 64g + i goes to bit 2g of qh[i], of value 64g + 32 + i to bit 2g + 1.
        float[] x = new float[256];
        int[] k = new int[256];
        for (int j = 0; j < 8; j++) {
            for (int i = 0; i < 32; i++) {
                k[32 * j + i] = (7 * i + j) % 32;
                x[32 * j + i] = k[32 * j + i] * 0.25f;
            }
        }
        byte[] expected = new byte[176];
        float d = 0.25f / 63;
        expected[0] = f16lo(d);
        expected[1] = f16hi(d);
        for (int i = 0; i < 4; i++) expected[4 + i] = (byte) 0xFF;
        for (int i = 8; i < 12; i++) expected[4 + i] = 0x0F;
        for (int g = 0; g < 4; g++) {
            for (int i = 0; i < 32; i++) {
                int a = k[64 * g + i], b = k[64 * g + 32 + i];
                expected[48 + 32 * g + i] = (byte) ((a & 0xF) | ((b & 0xF) << 4));
                expected[16 + i] |= (byte) (((a >> 4) << (2 * g)) | ((b >> 4) << (2 * g + 1)));
            }
        }
        assertThat(quantize(DType.Q5_K, x)).containsExactly(expected);
        float[] back = new float[256];
        QuantRows.dequantize(DType.Q5_K, MemorySegment.ofArray(expected), 0, back, 0, 256);
        for (int i = 0; i < 256; i++) assertThat(back[i]).as("value %d", i).isCloseTo(x[i], org.assertj.core.api.Assertions.within(4e-3f)); // f16(d) is off by ≤ 2^-11
    }

    @Test
    void allZeroBlocksAreZero() {
        for (DType t : new DType[] {DType.Q8_0, DType.Q4_0, DType.Q5_0, DType.Q4_K, DType.Q5_K, DType.Q6_K}) {
            float[] x = new float[256];
            byte[] b = quantize(t, x);
            float[] back = new float[256];
            QuantRows.dequantize(t, MemorySegment.ofArray(b), 0, back, 0, 256);
            // Q4_0 stores d = 0/−8 = −0 like llama.cpp, so compare numerically
            for (float v : back) assertThat(v == 0f).as("%s", t).isTrue();
        }
    }

    @Test
    void nearestIntRoundsTiesToEven() {
        assertThat(Blocks.nearestInt(2.5f)).isEqualTo(2);
        assertThat(Blocks.nearestInt(3.5f)).isEqualTo(4);
        assertThat(Blocks.nearestInt(-2.5f)).isEqualTo(-2);
        assertThat(Blocks.nearestInt(-0.49f)).isEqualTo(0);
        assertThat(Blocks.roundHalfAway(-2.5f)).isEqualTo(-3);
        assertThat(Blocks.roundHalfAway(0.49999997f)).isEqualTo(0);
    }
}
