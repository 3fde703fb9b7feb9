package dev.qwen4j.vision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qwen4j.format.Json;
import dev.qwen4j.format.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The settings of a Qwen3-VL image or video processor ({@code preprocessor_config.json} /
 * {@code video_preprocessor_config.json}). minPixels/maxPixels come from {@code size.shortest_edge} /
 * {@code size.longest_edge} (for videos they are totals over all frames). The frame-sampling fields
 * only matter for videos.
 */
public record ProcessorConfig(int patchSize, int temporalPatchSize, int mergeSize,
                              float[] mean, float[] std, boolean doRescale, double rescaleFactor, boolean doNormalize,
                              long minPixels, long maxPixels,
                              boolean doSampleFrames, double fps, int minFrames, int maxFrames) {
    public static final String IMAGE_FILE = "preprocessor_config.json";
    public static final String VIDEO_FILE = "video_preprocessor_config.json";

    public ProcessorConfig {
        if (patchSize <= 0 || temporalPatchSize <= 0 || mergeSize <= 0)
            throw new IllegalArgumentException("patch_size, temporal_patch_size and merge_size must be positive");
        if (mean.length != 3 || std.length != 3) throw new IllegalArgumentException("image_mean and image_std need 3 values");
        for (float s : std) if (!(s != 0f)) throw new IllegalArgumentException("image_std must not contain 0");
        if (minPixels < 0 || maxPixels <= 0 || minPixels > maxPixels)
            throw new IllegalArgumentException("need 0 <= min_pixels <= max_pixels, got " + minPixels + ", " + maxPixels);
        if (minFrames < 1 || maxFrames < minFrames)
            throw new IllegalArgumentException("need 1 <= min_frames <= max_frames, got " + minFrames + ", " + maxFrames);
        mean = mean.clone();
        std = std.clone();
    }

    /** The published Qwen3-VL image processor settings. */
    public static ProcessorConfig qwen3VlImageDefaults() {
        return new ProcessorConfig(16, 2, 2, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f},
                true, 1 / 255.0, true, 65536, 16777216, false, 2, 4, 768);
    }

    /** The published Qwen3-VL video processor settings. */
    public static ProcessorConfig qwen3VlVideoDefaults() {
        return new ProcessorConfig(16, 2, 2, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f},
                true, 1 / 255.0, true, 4096, 25165824, true, 2, 4, 768);
    }

    /** Reads {@code preprocessor_config.json} from a model folder; a missing file means the published defaults. */
    public static ProcessorConfig readImage(Path modelDir) {
        return read(modelDir.resolve(IMAGE_FILE), qwen3VlImageDefaults());
    }

    /** Reads {@code video_preprocessor_config.json}; a missing file means the published video defaults. */
    public static ProcessorConfig readVideo(Path modelDir) {
        return read(modelDir.resolve(VIDEO_FILE), qwen3VlVideoDefaults());
    }

    /** Parses one processor config file, taking absent fields from {@code defaults}. */
    public static ProcessorConfig read(Path file, ProcessorConfig defaults) {
        if (!Files.exists(file)) return defaults;
        JsonNode n = Json.read(file);
        try {
            // transformers lets the legacy top-level min_pixels/max_pixels override size (Qwen2/2.5-VL configs have both).
            JsonNode size = n.path("size");
            long min = present(n, "min_pixels") ? longField(file, n, "min_pixels")
                    : size.has("shortest_edge") ? longField(file, size, "shortest_edge") : defaults.minPixels;
            long max = present(n, "max_pixels") ? longField(file, n, "max_pixels")
                    : size.has("longest_edge") ? longField(file, size, "longest_edge") : defaults.maxPixels;
            return new ProcessorConfig(
                    intField(file, n, "patch_size", defaults.patchSize),
                    intField(file, n, "temporal_patch_size", defaults.temporalPatchSize),
                    intField(file, n, "merge_size", defaults.mergeSize),
                    triple(file, n, "image_mean", defaults.mean), triple(file, n, "image_std", defaults.std),
                    n.path("do_rescale").asBoolean(defaults.doRescale),
                    n.has("rescale_factor") ? number(file, n, "rescale_factor").doubleValue() : defaults.rescaleFactor,
                    n.path("do_normalize").asBoolean(defaults.doNormalize),
                    min, max,
                    n.path("do_sample_frames").asBoolean(defaults.doSampleFrames),
                    n.has("fps") && !n.get("fps").isNull() ? number(file, n, "fps").doubleValue() : defaults.fps,
                    intField(file, n, "min_frames", defaults.minFrames),
                    intField(file, n, "max_frames", defaults.maxFrames));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /** The same settings with other pixel limits (per-call overrides). */
    public ProcessorConfig withPixelLimits(long minPixels, long maxPixels) {
        return new ProcessorConfig(patchSize, temporalPatchSize, mergeSize, mean, std, doRescale, rescaleFactor,
                doNormalize, minPixels, maxPixels, doSampleFrames, fps, minFrames, maxFrames);
    }

    /** Sides of the resized image are multiples of this (patch·merge = 32 for Qwen3-VL). */
    public int factor() {
        return patchSize * mergeSize;
    }

    /** Values per patch row: 3·T·P·P (1536 for Qwen3-VL). */
    public int patchDim() {
        return 3 * temporalPatchSize * patchSize * patchSize;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    private static boolean present(JsonNode n, String key) {
        return n.has(key) && !n.get(key).isNull();
    }

    private static JsonNode number(Path file, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (!v.isNumber()) throw new ModelFormatException(file + ": field " + key + " must be a number, got " + v);
        return v;
    }

    private static long longField(Path file, JsonNode n, String key) {
        JsonNode v = number(file, n, key);
        if (!v.canConvertToExactIntegral() || !v.canConvertToLong())
            throw new ModelFormatException(file + ": field " + key + " must be an integer, got " + v);
        return v.asLong();
    }

    private static int intField(Path file, JsonNode n, String key, int dflt) {
        if (!n.has(key) || n.get(key).isNull()) return dflt;
        long v = longField(file, n, key);
        if (v != (int) v) throw new ModelFormatException(file + ": field " + key + " out of range: " + v);
        return (int) v;
    }

    private static float[] triple(Path file, JsonNode n, String key, float[] dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return dflt;
        if (v.isNumber()) return new float[] {v.floatValue(), v.floatValue(), v.floatValue()};
        if (!v.isArray() || v.size() != 3)
            throw new ModelFormatException(file + ": field " + key + " must be a list of 3 numbers, got " + v);
        float[] out = new float[3];
        for (int i = 0; i < 3; i++) {
            if (!v.get(i).isNumber()) throw new ModelFormatException(file + ": field " + key + " must hold numbers, got " + v);
            // numpy turns the JSON doubles into float32 before normalising.
            out[i] = (float) v.get(i).doubleValue();
        }
        return out;
    }
}
