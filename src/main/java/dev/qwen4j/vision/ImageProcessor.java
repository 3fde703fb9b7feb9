package dev.qwen4j.vision;

import java.nio.file.Path;

/**
 * The Qwen3-VL image pipeline (transformers' PIL backend): RGB → smart_resize → Pillow bicubic →
 * rescale/normalise → still frame repeated to the temporal patch size → patchify. Thread-safe.
 */
public final class ImageProcessor {
    private final ProcessorConfig config;
    private final ImageDecoder decoder;

    public ImageProcessor(ProcessorConfig config) {
        this(config, new ImageDecoder());
    }

    public ImageProcessor(ProcessorConfig config, ImageDecoder decoder) {
        this.config = config;
        this.decoder = decoder;
    }

    /** Uses the model folder's {@code preprocessor_config.json}. */
    public static ImageProcessor fromModelDir(Path modelDir) {
        return new ImageProcessor(ProcessorConfig.readImage(modelDir));
    }

    public ProcessorConfig config() {
        return config;
    }

    /** Decodes and processes an image file with the configured pixel limits. */
    public VisionInput process(Path file) {
        return processNamed(decoder.decode(file), file.toString());
    }

    /** Decodes and processes encoded image bytes (an upload, a base64 payload); name labels errors. */
    public VisionInput process(byte[] encoded, String name) {
        return processNamed(decoder.decode(encoded, name), name);
    }

    /** A decodable image smart_resize refuses (aspect ratio over 200) is bad media too: say which one. */
    private VisionInput processNamed(RgbImage image, String name) {
        try {
            return process(image);
        } catch (IllegalArgumentException e) {
            throw new BadMediaException(name + ": " + e.getMessage(), e);
        }
    }

    public VisionInput process(RgbImage image) {
        return process(image, config.minPixels(), config.maxPixels());
    }

    /** Processes with per-call pixel limits (transformers' {@code min_pixels}/{@code max_pixels} overrides). */
    public VisionInput process(RgbImage image, long minPixels, long maxPixels) {
        RgbImage resized = resize(image, minPixels, maxPixels);
        Patchifier p = new Patchifier(config, resized.height(), resized.width(), 1);
        p.put(0, resized);
        return p.finish();
    }

    /** The size smart_resize picks for an image of the given size. */
    public ResizeTarget targetSize(int height, int width, long minPixels, long maxPixels) {
        return SmartResize.image(height, width, config.factor(), minPixels, maxPixels);
    }

    /** The resized uint8 image that gets normalised and patchified. */
    public RgbImage resize(RgbImage image, long minPixels, long maxPixels) {
        ResizeTarget t = targetSize(image.height(), image.width(), minPixels, maxPixels);
        return PillowBicubic.resize(image, t.width(), t.height());
    }
}
