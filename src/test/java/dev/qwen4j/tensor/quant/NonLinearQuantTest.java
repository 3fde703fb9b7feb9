package dev.qwen4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qwen4j.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * IQ4_NL and IQ4_XS against llama.cpp: the bytes its quantize_iq4_nl / quantize_iq4_xs write (what llama-quantize
 * runs; called in libggml-base of node-llama-cpp 3.22.1 through FFM: every byte of 19200 IQ4_NL and 2400 IQ4_XS
 * blocks of varied data equal, and dequantize_row_* bit-identical), and hand-decoded blocks.
 * The other kernels (dot, row kernels, vector twins) run in {@link QuantKernelsTest}.
 */
class NonLinearQuantTest {
    private static byte[] quantize(DType t, float[] x) {
        MemorySegment q = Arena.ofAuto().allocate(t.byteSize(x.length));
        QuantRows.quantize(t, x, 0, x.length, q, 0);
        return q.toArray(ValueLayout.JAVA_BYTE);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"IQ4_NL", "IQ4_XS"})
    void quantizesAsLlamaCppDoes(DType t) {
        long expected = t == DType.IQ4_NL ? 0xf2bb8e94L : 0x287e11e2L;
        CRC32 crc = new CRC32();
        crc.update(quantize(t, MoreQuantFormatsTest.goldenInput()));
        assertThat(Long.toHexString(crc.getValue())).isEqualTo(Long.toHexString(expected));
    }

    @Test
    void decodesAHandBuiltIq4NlBlock() {
        MemorySegment b = Arena.ofAuto().allocate(IQ4_NL.BYTES);
        Blocks.putF16(b, 0, 0.5f);
        for (int j = 0; j < 16; j++) b.set(Blocks.I8, 2 + j, (byte) (j | (15 - j) << 4));
        float[] y = new float[32];
        QuantRows.dequantize(DType.IQ4_NL, b, 0, y, 0, 32);
        assertThat(y[0]).isEqualTo(-63.5f);  // level 0: −127
        assertThat(y[8]).isEqualTo(0.5f);    // level 8: 1
        assertThat(y[15]).isEqualTo(56.5f);  // level 15: 113
        assertThat(y[16]).isEqualTo(56.5f);  // high nibble of byte 0: 15
        assertThat(y[31]).isEqualTo(-63.5f);
    }

    @Test
    void decodesAHandBuiltIq4XsBlock() {
        MemorySegment b = Arena.ofAuto().allocate(IQ4_XS.BYTES);
        Blocks.putF16(b, 0, 0.25f);
        // sub-block s gets ls = 32 + s (scale d·s): low nibbles of 32..39 are 0..7, high bits 2 each
        int scalesH = 0;
        for (int s = 0; s < 8; s++) {
            int ls = 32 + s;
            long lo = 4 + s / 2;
            b.set(Blocks.I8, lo, (byte) ((s % 2 == 0 ? 0 : Blocks.u8(b, lo)) | (ls & 15) << 4 * (s % 2)));
            scalesH |= (ls >> 4) << 2 * s;
        }
        b.set(Blocks.I16, 2, (short) scalesH);
        for (int j = 0; j < 128; j++) b.set(Blocks.I8, 8 + j, (byte) 0xF0); // low nibble level −127, high +113
        float[] y = new float[256];
        QuantRows.dequantize(DType.IQ4_XS, b, 0, y, 0, 256);
        for (int s = 0; s < 8; s++) {
            assertThat(y[32 * s]).as("sub-block %d low", s).isEqualTo(0.25f * s * -127);
            assertThat(y[32 * s + 16]).as("sub-block %d high", s).isEqualTo(0.25f * s * 113);
            assertThat(IQ4_XS.get(b, 0, 32 * s + 20)).isEqualTo(y[32 * s + 20]);
        }
    }

    /** Bell-shaped data, like real weights: the non-uniform levels beat Q4_0's uniform ones with as many or fewer bits. */
    @Test
    void beatQ4_0OnGaussianData() {
        java.util.Random rnd = new java.util.Random(7);
        int n = 256 * 256;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        double q4 = relativeRms(DType.Q4_0, x), nl = relativeRms(DType.IQ4_NL, x), xs = relativeRms(DType.IQ4_XS, x);
        // measured: Q4_0 0.0859, IQ4_NL 0.0761, IQ4_XS 0.0766
        assertThat(nl).isLessThan(0.9 * q4);
        assertThat(xs).isLessThan(0.9 * q4);
    }

    private static double relativeRms(DType t, float[] x) {
        MemorySegment q = Arena.ofAuto().allocate(t.byteSize(x.length));
        QuantRows.quantize(t, x, 0, x.length, q, 0);
        float[] y = new float[x.length];
        QuantRows.dequantize(t, q, 0, y, 0, x.length);
        double e = 0, s = 0;
        for (int i = 0; i < x.length; i++) {
            e += (x[i] - y[i]) * (double) (x[i] - y[i]);
            s += x[i] * (double) x[i];
        }
        return Math.sqrt(e / s);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"IQ4_NL", "IQ4_XS"})
    void aZeroRowDecodesToZeros(DType t) {
        float[] x = new float[512];
        MemorySegment q = Arena.ofAuto().allocate(t.byteSize(512));
        QuantRows.quantize(t, x, 0, 512, q, 0);
        float[] y = new float[512];
        QuantRows.dequantize(t, q, 0, y, 0, 512);
        for (float v : y) assertThat(v == 0f).isTrue();
    }
}
