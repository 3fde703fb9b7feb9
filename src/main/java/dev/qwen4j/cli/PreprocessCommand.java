package dev.qwen4j.cli;

import dev.qwen4j.vision.FfmpegVideoSource;
import dev.qwen4j.vision.FrameFolderSource;
import dev.qwen4j.vision.FrameSource;
import dev.qwen4j.vision.ImageDecoder;
import dev.qwen4j.vision.ImageProcessor;
import dev.qwen4j.vision.ProcessorConfig;
import dev.qwen4j.vision.RgbImage;
import dev.qwen4j.vision.VideoInput;
import dev.qwen4j.vision.VideoOptions;
import dev.qwen4j.vision.VideoProcessor;
import dev.qwen4j.vision.VisionInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs a VL model's image or video preprocessing and prints the grid, the token count and a SHA-256 of
 * pixel_values (little-endian float32), to compare with transformers or another port (verification
 * interface: keep the JSON keys stable).
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = "Preprocess an image or video for a Qwen3-VL model; print grid_thw, tokens and the pixel_values sha256.")
final class PreprocessCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--image", paramLabel = "FILE", description = "PNG, JPEG, WebP, BMP, GIF or TIFF file.")
        Path image;

        @Option(names = "--video", paramLabel = "FILE|DIR", description = "Video file (MP4, WebM, MKV, ...) or a folder of frames.")
        Path video;
    }

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--min-pixels", paramLabel = "N", description = "Override size.shortest_edge (for videos: total over all frames).")
    Long minPixels;

    @Option(names = "--max-pixels", paramLabel = "N", description = "Override size.longest_edge (for videos: total over all frames).")
    Long maxPixels;

    @Option(names = "--fps", paramLabel = "F", description = "Video: sample this many frames per second (default from the config).")
    Double fps;

    @Option(names = "--num-frames", paramLabel = "N", description = "Video: sample exactly N frames instead of by fps.")
    Integer numFrames;

    @Option(names = "--cap-pixels-per-frame",
            description = "Video: qwen-vl-utils' per-frame pixel cap (transformers' opt-in cap_pixels_per_frame).")
    boolean capPixelsPerFrame;

    @Option(names = "--frames-fps", paramLabel = "F", defaultValue = "2",
            description = "Frame rate of a folder of frames (default ${DEFAULT-VALUE}: frames already sampled at 2 fps).")
    double framesFps;

    @Override
    public Integer call() {
        Path dir = model.resolve();
        if (!Files.isRegularFile(dir.resolve(ProcessorConfig.IMAGE_FILE)))
            throw new UsageError("--model " + dir + ": no " + ProcessorConfig.IMAGE_FILE + " (not a vision-language model)");
        if (fps != null && numFrames != null) throw new UsageError("--fps and --num-frames are mutually exclusive");
        if (input.video == null && (fps != null || numFrames != null || capPixelsPerFrame))
            throw new UsageError("--fps, --num-frames and --cap-pixels-per-frame only apply to --video");
        Map<String, Object> out = input.image != null ? image(dir) : video(dir);
        if (json) {
            System.out.println(Jsons.write(out));
        } else {
            out.forEach((k, v) -> System.out.println(k + ": " + (v instanceof String s ? s : Jsons.write(v))));
        }
        return 0;
    }

    private Map<String, Object> image(Path dir) {
        ImageProcessor proc = ImageProcessor.fromModelDir(dir);
        ProcessorConfig cfg = proc.config();
        RgbImage img = new ImageDecoder().decode(input.image);
        VisionInput v = proc.process(img, minPixels != null ? minPixels : cfg.minPixels(), maxPixels != null ? maxPixels : cfg.maxPixels());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "image");
        out.put("file", input.image.toString());
        out.put("width", img.width());
        out.put("height", img.height());
        summary(out, v, cfg);
        out.put("num_image_tokens", v.numTokens());
        out.put("pixel_values_sha256", v.pixelValuesSha256());
        return out;
    }

    private Map<String, Object> video(Path dir) {
        VideoProcessor proc = VideoProcessor.fromModelDir(dir);
        VideoOptions opts = new VideoOptions(fps, numFrames, minPixels, maxPixels, capPixelsPerFrame);
        try (FrameSource src = Files.isDirectory(input.video) ? new FrameFolderSource(input.video, framesFps)
                : new FfmpegVideoSource(input.video)) {
            VideoInput v = proc.process(src, opts);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("kind", "video");
            out.put("file", input.video.toString());
            out.put("width", src.width());
            out.put("height", src.height());
            out.put("total_frames", src.frameCount());
            out.put("source_fps", Double.isNaN(src.fps()) ? null : src.fps());
            out.put("frame_indices", v.frameIndices());
            summary(out, v.vision(), proc.config());
            out.put("num_video_tokens", v.vision().numTokens());
            out.put("tokens_per_group", v.tokensPerGroup());
            out.put("timestamps", v.timestampLabels());
            out.put("pixel_values_sha256", v.vision().pixelValuesSha256());
            return out;
        }
    }

    private static void summary(Map<String, Object> out, VisionInput v, ProcessorConfig cfg) {
        out.put("resized_width", v.gridW() * cfg.patchSize());
        out.put("resized_height", v.gridH() * cfg.patchSize());
        out.put("grid_thw", v.gridThw());
        out.put("pixel_values_shape", new int[] {v.numPatches(), v.patchDim()});
    }
}
