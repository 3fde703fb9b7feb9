package dev.qwen4j.model;

/**
 * One preprocessed image or video for a vision-language model: patchified pixel values
 * [numPatches × C·Tp·P·P] (1536 for Qwen3-VL) in merge-window order, and the patch grid (t, h, w) with
 * numPatches = t·h·w. Producing these from an image file is dev.qwen4j.vision's job.
 */
public record VisualPatches(float[] pixelValues, int[] gridThw) {
    public VisualPatches {
        if (gridThw.length != 3) throw new IllegalArgumentException("gridThw must be (t, h, w), got " + gridThw.length + " values");
        if (gridThw[0] < 1 || gridThw[1] < 1 || gridThw[2] < 1) {
            throw new IllegalArgumentException("grid (t, h, w) = " + java.util.Arrays.toString(gridThw) + " must be positive");
        }
    }

    public int patches() {
        return gridThw[0] * gridThw[1] * gridThw[2];
    }
}
