package dev.qwen4j.vision;

/** The size an image or video frame is resized to before patchifying (both multiples of patch·merge). */
public record ResizeTarget(int height, int width) {}
