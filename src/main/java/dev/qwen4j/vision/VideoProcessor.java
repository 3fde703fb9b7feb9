package dev.qwen4j.vision;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Qwen3-VL video pipeline (transformers' {@code Qwen3VLVideoProcessor} + the processor's
 * timestamps): sample frame indices, pick one size for all frames with the video smart_resize (pixel
 * limits are totals over all frames), resize each sampled frame with Pillow-exact bicubic, normalise,
 * pad the frame count to the temporal patch size and patchify. Frames are streamed: each sampled frame
 * is resized and written into the output as soon as it is decoded.
 *
 * <p>Differences from transformers, by design: frames are resized with Pillow's bicubic (as images are)
 * instead of torchvision's, and normalised as f32(x/255) then (x − mean)/std like images, where the
 * torch path fuses both into one float32 step (≤ 1 ulp apart).
 */
public final class VideoProcessor {
    private final ProcessorConfig config;
    private final ImageDecoder decoder;

    public VideoProcessor(ProcessorConfig config) {
        this(config, new ImageDecoder());
    }

    /** The decoder's pixel cap also bounds video frame sizes; it decodes frame-folder stills. */
    public VideoProcessor(ProcessorConfig config, ImageDecoder decoder) {
        this.config = config;
        this.decoder = decoder;
    }

    /** Uses the model folder's {@code video_preprocessor_config.json} (published defaults when absent). */
    public static VideoProcessor fromModelDir(Path modelDir) {
        return new VideoProcessor(ProcessorConfig.readVideo(modelDir));
    }

    public ProcessorConfig config() {
        return config;
    }

    /** A video file, or a folder of frames (then at {@code folderFps} frames per second). */
    public VideoInput process(Path videoOrFolder, double folderFps, VideoOptions options) {
        try (FrameSource src = Files.isDirectory(videoOrFolder)
                ? new FrameFolderSource(videoOrFolder, folderFps, decoder)
                : new FfmpegVideoSource(videoOrFolder, decoder.maxPixels())) {
            return process(src, options);
        }
    }

    public VideoInput process(Path videoFile) {
        try (FrameSource src = new FfmpegVideoSource(videoFile, decoder.maxPixels())) {
            return process(src, VideoOptions.defaults());
        }
    }

    public VideoInput process(FrameSource source, VideoOptions options) {
        int[] indices = sample(source, options);
        ResizeTarget target = targetSize(source, indices.length, options);
        Patchifier out = new Patchifier(config, target.height(), target.width(), indices.length);
        source.read(indices, (pos, frame) -> out.put(pos, PillowBicubic.resize(frame, target.width(), target.height())));
        VisionInput vision = out.finish();
        double[] times = VideoTimestamps.perGroup(indices, source.fps(), config.temporalPatchSize());
        return new VideoInput(vision, indices, source.fps(), times);
    }

    /** The source frame indices that will be used. */
    public int[] sample(FrameSource source, VideoOptions options) {
        int total = source.frameCount();
        if (options.numFrames() != null) return FrameSampler.indices(total, options.numFrames());
        if (!config.doSampleFrames()) return FrameSampler.indices(total, total);
        double fps = options.fps() != null ? options.fps() : config.fps();
        int n = FrameSampler.countForFps(total, source.fps(), fps, config.minFrames(), config.maxFrames());
        return FrameSampler.indices(total, n);
    }

    /** The common frame size for numFrames sampled frames. */
    public ResizeTarget targetSize(FrameSource source, int numFrames, VideoOptions options) {
        long min = options.minPixels() != null ? options.minPixels() : config.minPixels();
        long max = options.maxPixels() != null ? options.maxPixels() : config.maxPixels();
        if (options.capPixelsPerFrame() && numFrames > 0) {
            // qwen-vl-utils' budget: each frame gets at most 768 merged patches or its share of the total,
            // but at least 1.05 × min_pixels; the total limit is that times the frame count.
            long frameCap = 768L * config.factor() * config.factor();
            long perFrame = Math.max(Math.min(frameCap, max / numFrames), (long) (min * 1.05));
            max = perFrame * numFrames;
        }
        try {
            return SmartResize.video(numFrames, source.height(), source.width(), config.temporalPatchSize(),
                    config.factor(), min, max);
        } catch (IllegalArgumentException e) {
            throw new BadMediaException(source.name() + ": " + e.getMessage(), e);
        }
    }
}
