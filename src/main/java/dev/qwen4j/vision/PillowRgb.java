package dev.qwen4j.vision;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Turns a decoded {@link BufferedImage} into 8-bit RGB with the semantics of Pillow's
 * {@code convert('RGB')} (what transformers' {@code convert_to_rgb} calls), working on the raw samples,
 * never through Java2D's colour management:
 * <ul>
 *   <li>alpha is dropped, not composited; embedded ICC profiles are ignored (Pillow ignores them too);</li>
 *   <li>grey is replicated; palette images use the palette's RGB (its transparency is ignored);</li>
 *   <li>16-bit colour (and grey+alpha) samples keep their high byte, as Pillow's {@code ;16B} unpackers do,
 *       but plain 16-bit grey is clamped to 255, because Pillow opens it as a 32-bit integer image;</li>
 *   <li>CMYK uses Pillow's naive formula {@code (255−k) − c·(255−k)/255} per channel.</li>
 * </ul>
 * Other bit depths are scaled to 0..255; colour spaces with no Pillow counterpart fall back to Java2D's
 * sRGB conversion.
 */
final class PillowRgb {
    private PillowRgb() {}

    /** invertCmyk: the CMYK samples are stored inverted (Adobe JPEG) and are flipped before converting. */
    static RgbImage convert(BufferedImage img, boolean invertCmyk) {
        int w = img.getWidth(), h = img.getHeight();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        if (cm instanceof IndexColorModel icm) {
            palette(icm, r, out);
        } else if (cm instanceof DirectColorModel) {
            // Packed pixels (BMP 5-6-5, TYPE_INT_RGB, ...): the model's own per-channel scaling.
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                putArgbRow(row, out, y * w * 3);
            }
        } else {
            int type = cm.getColorSpace().getType();
            int colors = cm.getNumColorComponents();
            if (type == ColorSpace.TYPE_RGB && colors == 3) samples(r, cm, out, false);
            else if (type == ColorSpace.TYPE_GRAY && colors == 1) samples(r, cm, out, true);
            else if (type == ColorSpace.TYPE_CMYK && colors == 4) cmyk(r, cm.getComponentSize(0), out, invertCmyk);
            else {
                int[] row = new int[w];
                for (int y = 0; y < h; y++) {
                    img.getRGB(0, y, w, 1, row, 0, w);
                    putArgbRow(row, out, y * w * 3);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    private static void palette(IndexColorModel icm, Raster r, byte[] out) {
        int n = icm.getMapSize();
        byte[] red = new byte[256], green = new byte[256], blue = new byte[256];
        byte[] tr = new byte[n], tg = new byte[n], tb = new byte[n];
        icm.getReds(tr);
        icm.getGreens(tg);
        icm.getBlues(tb);
        System.arraycopy(tr, 0, red, 0, Math.min(n, 256));
        System.arraycopy(tg, 0, green, 0, Math.min(n, 256));
        System.arraycopy(tb, 0, blue, 0, Math.min(n, 256));
        int w = r.getWidth(), h = r.getHeight();
        int[] idx = new int[w];
        for (int y = 0; y < h; y++) {
            r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, 0, idx);
            int o = y * w * 3;
            for (int x = 0; x < w; x++, o += 3) {
                int i = idx[x] & 0xFF; // indices past the palette read as black, as Pillow's zero-filled palette does
                out[o] = red[i];
                out[o + 1] = green[i];
                out[o + 2] = blue[i];
            }
        }
    }

    /** RGB or grey component images: take the colour bands' samples, bring them to 8 bits. */
    private static void samples(Raster r, ColorModel cm, byte[] out, boolean grey) {
        if (cm.getComponentSize(0) == 8 && interleavedBytes(r, out, grey)) return;
        int w = r.getWidth(), h = r.getHeight();
        int bands = grey ? 1 : 3;
        int bits = cm.getComponentSize(0);
        boolean floating = r.getTransferType() == DataBuffer.TYPE_FLOAT || r.getTransferType() == DataBuffer.TYPE_DOUBLE;
        // Pillow: 16-bit grey without alpha is mode I (clamped); 16-bit grey+alpha and colour keep the high byte.
        boolean clampGrey16 = grey && bits == 16 && !cm.hasAlpha();
        int[] s = new int[w];
        float[] f = floating ? new float[w] : null;
        for (int b = 0; b < bands; b++) {
            for (int y = 0; y < h; y++) {
                int o = y * w * 3 + b;
                if (floating) {
                    r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, b, f);
                    for (int x = 0; x < w; x++) s[x] = clamp((int) f[x]);
                } else {
                    r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, b, s);
                    to8Bits(s, w, bits, clampGrey16);
                }
                for (int x = 0; x < w; x++, o += 3) {
                    byte v = (byte) s[x];
                    out[o] = v;
                    if (grey) {
                        out[o + 1] = v;
                        out[o + 2] = v;
                    }
                }
            }
        }
    }

    /**
     * Fast path for the common case (8-bit pixel-interleaved bytes: JPEG, 8-bit PNG, BMP, WebP): copy straight
     * from the backing array instead of one virtual call per sample. Returns false when the layout differs.
     */
    private static boolean interleavedBytes(Raster r, byte[] out, boolean grey) {
        if (!(r.getDataBuffer() instanceof DataBufferByte db) || db.getNumBanks() != 1
                || !(r.getSampleModel() instanceof ComponentSampleModel sm) || sm.getNumBands() < (grey ? 1 : 3))
            return false;
        for (int b = 0; b < sm.getNumBands(); b++) if (sm.getBankIndices()[b] != 0 || sm.getSampleSize(b) != 8) return false;
        byte[] data = db.getData();
        int w = r.getWidth(), h = r.getHeight();
        int ps = sm.getPixelStride(), ss = sm.getScanlineStride();
        int[] bo = sm.getBandOffsets();
        int base = db.getOffset() + (r.getMinY() - r.getSampleModelTranslateY()) * ss
                + (r.getMinX() - r.getSampleModelTranslateX()) * ps;
        int r0 = bo[0], g0 = grey ? bo[0] : bo[1], b0 = grey ? bo[0] : bo[2];
        for (int y = 0; y < h; y++) {
            int p = base + y * ss, o = y * w * 3;
            for (int x = 0; x < w; x++, p += ps, o += 3) {
                out[o] = data[p + r0];
                out[o + 1] = data[p + g0];
                out[o + 2] = data[p + b0];
            }
        }
        return true;
    }

    private static void to8Bits(int[] s, int n, int bits, boolean clamp16) {
        if (bits == 8) return;
        if (bits == 16) {
            if (clamp16) for (int x = 0; x < n; x++) s[x] = Math.min(s[x] & 0xFFFF, 255);
            else for (int x = 0; x < n; x++) s[x] = (s[x] & 0xFFFF) >>> 8;
        } else if (bits > 8) {
            for (int x = 0; x < n; x++) s[x] = s[x] >>> (bits - 8);
        } else {
            int max = (1 << bits) - 1;
            for (int x = 0; x < n; x++) s[x] = s[x] * 255 / max;
        }
    }

    /** A raw 4-band raster of CMYK samples ({@code bits} per sample). */
    static RgbImage fromCmykRaster(Raster r, int bits, boolean inverted) {
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(r.getWidth(), r.getHeight()), 3)];
        cmyk(r, bits, out, inverted);
        return new RgbImage(r.getWidth(), r.getHeight(), out);
    }

    private static void cmyk(Raster r, int bits, byte[] out, boolean inverted) {
        int w = r.getWidth(), h = r.getHeight();
        int[][] s = new int[4][w];
        for (int y = 0; y < h; y++) {
            for (int b = 0; b < 4; b++) {
                r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, b, s[b]);
                to8Bits(s[b], w, bits, false);
                if (inverted) for (int x = 0; x < w; x++) s[b][x] = 255 - s[b][x];
            }
            int o = y * w * 3;
            for (int x = 0; x < w; x++, o += 3) {
                int nk = 255 - s[3][x];
                out[o] = (byte) clamp(nk - mulDiv255(s[0][x], nk));
                out[o + 1] = (byte) clamp(nk - mulDiv255(s[1][x], nk));
                out[o + 2] = (byte) clamp(nk - mulDiv255(s[2][x], nk));
            }
        }
    }

    /** a·b/255 rounded, the integer trick Pillow uses. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static void putArgbRow(int[] row, byte[] out, int o) {
        for (int argb : row) {
            out[o++] = (byte) (argb >> 16);
            out[o++] = (byte) (argb >> 8);
            out[o++] = (byte) argb;
        }
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
