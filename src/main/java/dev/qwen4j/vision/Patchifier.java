package dev.qwen4j.vision;

import dev.qwen4j.tensor.Parallel;

/**
 * Scatters resized frames straight into the flat {@code pixel_values} layout, one frame at a time, so
 * a video never needs all its frames in memory.
 *
 * <p>Frame τ_abs = g·T + τ, pixel (y, x) with y = (2·bi+ii)·P + py, x = (2·bj+jj)·P + px (merge 2) goes to
 * row ((g·(gh/m) + bi)·(gw/m) + bj)·m² + ii·m + jj and column ((c·T + τ)·P + py)·P + px. When the frame
 * count is not a multiple of the temporal patch size the last frame is repeated, as transformers pads.
 */
final class Patchifier {
    private final int patch, merge, tps, height, width, numFrames, gridT, gridH, gridW, patchDim;
    private final PixelNormalizer norm;
    private final float[] out;

    Patchifier(ProcessorConfig cfg, int height, int width, int numFrames) {
        this.patch = cfg.patchSize();
        this.merge = cfg.mergeSize();
        this.tps = cfg.temporalPatchSize();
        int f = patch * merge;
        if (height % f != 0 || width % f != 0)
            throw new IllegalArgumentException("frame " + width + "x" + height + " is not a multiple of " + f);
        if (numFrames < 1) throw new IllegalArgumentException("need at least one frame");
        this.height = height;
        this.width = width;
        this.numFrames = numFrames;
        this.gridT = (numFrames + tps - 1) / tps;
        this.gridH = height / patch;
        this.gridW = width / patch;
        this.patchDim = cfg.patchDim();
        long total = (long) gridT * gridH * gridW * patchDim;
        if (total > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException("pixel_values would hold " + total + " floats, more than a Java array can");
        this.norm = new PixelNormalizer(cfg);
        this.out = new float[(int) total];
    }

    /** Writes frame number {@code index} (0-based, before padding); the last one also fills the padding slots. */
    void put(int index, RgbImage frame) {
        if (index < 0 || index >= numFrames) throw new IndexOutOfBoundsException("frame " + index + " of " + numFrames);
        if (frame.width() != width || frame.height() != height)
            throw new IllegalArgumentException("frame is " + frame.width() + "x" + frame.height() + ", expected " + width + "x" + height);
        Parallel.forRange(gridH, 1, (from, to) -> {
            for (int gy = from; gy < to; gy++) write(index, frame, gy);
        });
        if (index == numFrames - 1 && numFrames % tps != 0) {
            // Padding slots sit in the same temporal group as the last frame: copy its columns within each row.
            Parallel.forRange(gridH * gridW, 64, (from, to) -> {
                for (int rowInGroup = from; rowInGroup < to; rowInGroup++) repeatLast(rowInGroup);
            });
        }
    }

    /** Scatters patch row gy (patch rows write disjoint outputs, so they can run in parallel). */
    private void write(int slot, RgbImage frame, int gy) {
        int g = slot / tps, tau = slot % tps;
        byte[] px = frame.pixels();
        int blocksH = gridH / merge, blocksW = gridW / merge;
        int planeStride = tps * patch * patch; // distance between channels in a row
        int bi = gy / merge, ii = gy % merge;
        for (int c = 0; c < 3; c++) {
            float[] lut = norm.channel(c);
            for (int py = 0; py < patch; py++) {
                int y = gy * patch + py;
                int colBase = c * planeStride + (tau * patch + py) * patch;
                int srcRow = y * width * 3 + c;
                for (int gx = 0; gx < gridW; gx++) {
                    int bj = gx / merge, jj = gx % merge;
                    int row = ((g * blocksH + bi) * blocksW + bj) * merge * merge + ii * merge + jj;
                    int o = row * patchDim + colBase;
                    int s = srcRow + gx * patch * 3;
                    for (int p = 0; p < patch; p++) out[o + p] = lut[px[s + p * 3] & 0xFF];
                }
            }
        }
    }

    /** In row r of the last temporal group, copies the last frame's P×P block of each channel into the padding slots. */
    private void repeatLast(int rowInGroup) {
        int row = (gridT - 1) * gridH * gridW + rowInGroup;
        int last = (numFrames - 1) % tps;
        int block = patch * patch;
        for (int c = 0; c < 3; c++) {
            int base = row * patchDim + c * tps * block;
            for (int tau = last + 1; tau < tps; tau++) System.arraycopy(out, base + last * block, out, base + tau * block, block);
        }
    }

    VisionInput finish() {
        int numPatches = gridT * gridH * gridW;
        return new VisionInput(out, numPatches, patchDim, new int[] {gridT, gridH, gridW},
                numPatches / (merge * merge));
    }
}
