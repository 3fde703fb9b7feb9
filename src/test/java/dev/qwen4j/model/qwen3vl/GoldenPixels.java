package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.model.VisualPatches;
import dev.qwen4j.testing.Golden;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.imageio.ImageIO;

/**
 * Test-only pixel pipeline for the golden resized PNGs (already smart-resized with PIL bicubic): the
 * golden oracle's rescale, normalise and patchify, so the model tests do not depend on
 * dev.qwen4j.vision. v = f32(f64(x)·(1/255)); v = (v − 0.5f)/0.5f in f32; the frame is repeated to
 * temporal 2; rows (t, h/32, w/32, 2, 2) × columns (C=3, T=2, 16, 16).
 */
final class GoldenPixels {
    static final int PATCH = 16, MERGE = 2, TEMPORAL = 2, CHANNELS = 3;

    private GoldenPixels() {}

    static VisualPatches load(String resizedPng) {
        BufferedImage img;
        try {
            img = ImageIO.read(Golden.ROOT.resolve(resizedPng).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (img == null) throw new IllegalStateException(resizedPng + ": not a readable PNG");
        return patchify(img);
    }

    static VisualPatches load(Path png) {
        return load(Golden.ROOT.relativize(png).toString());
    }

    static VisualPatches patchify(BufferedImage img) {
        int width = img.getWidth(), height = img.getHeight();
        float[][] chw = new float[CHANNELS][height * width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = img.getRGB(x, y);
                int[] v = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int c = 0; c < CHANNELS; c++) {
                    float scaled = (float) (v[c] * (1.0 / 255));
                    chw[c][y * width + x] = (scaled - 0.5f) / 0.5f;
                }
            }
        }
        int gh = height / PATCH, gw = width / PATCH;
        int cols = CHANNELS * TEMPORAL * PATCH * PATCH;
        float[] out = new float[gh * gw * cols];
        int row = 0;
        for (int bi = 0; bi < gh / MERGE; bi++) {
            for (int bj = 0; bj < gw / MERGE; bj++) {
                for (int ii = 0; ii < MERGE; ii++) {
                    for (int jj = 0; jj < MERGE; jj++, row++) {
                        int py0 = (bi * MERGE + ii) * PATCH, px0 = (bj * MERGE + jj) * PATCH;
                        int col = 0;
                        for (int c = 0; c < CHANNELS; c++) {
                            for (int t = 0; t < TEMPORAL; t++) { // still image: both frames identical
                                for (int py = 0; py < PATCH; py++) {
                                    for (int px = 0; px < PATCH; px++) {
                                        out[row * cols + col++] = chw[c][(py0 + py) * width + px0 + px];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return new VisualPatches(out, new int[] {1, gh, gw});
    }

    static String sha256F32le(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
