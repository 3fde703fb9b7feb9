package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.model.VisualPatches;

/** Lets tests in other packages build golden pixel values (GoldenPixels stays package-private). */
public final class GoldenPixelsAccess {
    private GoldenPixelsAccess() {}

    public static VisualPatches load(String resizedPng) {
        return GoldenPixels.load(resizedPng);
    }
}
