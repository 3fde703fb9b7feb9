package dev.qwen4j.vision;

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
        write(index, frame);
        if (index == numFrames - 1) for (int pad = numFrames; pad < gridT * tps; pad++) write(pad, frame);
    }

    private void write(int slot, RgbImage frame) {
        int g = slot / tps, tau = slot % tps;
        byte[] px = frame.pixels();
        int blocksH = gridH / merge, blocksW = gridW / merge;
        int planeStride = tps * patch * patch; // distance between channels in a row
        for (int c = 0; c < 3; c++) {
            float[] lut = norm.channel(c);
            for (int y = 0; y < height; y++) {
                int gy = y / patch, py = y % patch;
                int bi = gy / merge, ii = gy % merge;
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

    VisionInput finish() {
        int numPatches = gridT * gridH * gridW;
        return new VisionInput(out, numPatches, patchDim, new int[] {gridT, gridH, gridW},
                numPatches / (merge * merge));
    }
}
