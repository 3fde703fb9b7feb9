package dev.qwen4j.api;

import dev.qwen4j.model.VisualPatches;
import dev.qwen4j.tokenizer.Tokenizer;
import dev.qwen4j.vision.VisionInput;
import dev.qwen4j.vision.VideoInput;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a rendered chat prompt with image and video placeholders into the token ids the model reads, as the
 * Qwen3-VL processor does: each {@code <|image_pad|>} becomes as many pads as the image has merged patches,
 * and each {@code <|vision_start|><|video_pad|><|vision_end|>} (or a bare {@code <|video_pad|>}) becomes, per
 * temporal group, {@code "<t seconds>" <|vision_start|> <|video_pad|>×(h·w/4) <|vision_end|>}. Images and
 * videos are matched to placeholders in prompt order.
 */
public final class VisionPrompt {
    static final String IMAGE_PAD = "<|image_pad|>";
    static final String VIDEO_PAD = "<|video_pad|>";
    static final String VISION_START = "<|vision_start|>";
    static final String VISION_END = "<|vision_end|>";
    private static final String VIDEO_TRIPLE = VISION_START + VIDEO_PAD + VISION_END;

    private VisionPrompt() {}

    /** The rendered text with every placeholder expanded. */
    public static String expand(String rendered, List<VisionInput> images, List<VideoInput> videos) {
        StringBuilder out = new StringBuilder(rendered.length() + 64);
        int image = 0, video = 0, at = 0;
        while (true) {
            int i = rendered.indexOf(IMAGE_PAD, at);
            int v = rendered.indexOf(VIDEO_PAD, at);
            int triple = rendered.indexOf(VIDEO_TRIPLE, at);
            if (i < 0 && v < 0) break;
            if (i >= 0 && (v < 0 || i < v)) {
                if (image == images.size()) throw placeholders("image", images.size(), count(rendered, IMAGE_PAD));
                out.append(rendered, at, i).append(IMAGE_PAD.repeat(images.get(image++).numTokens()));
                at = i + IMAGE_PAD.length();
            } else {
                if (video == videos.size()) throw placeholders("video", videos.size(), count(rendered, VIDEO_PAD));
                boolean wrapped = triple >= 0 && triple + VISION_START.length() == v;
                out.append(rendered, at, wrapped ? triple : v).append(videoText(videos.get(video++)));
                at = wrapped ? triple + VIDEO_TRIPLE.length() : v + VIDEO_PAD.length();
            }
        }
        out.append(rendered, at, rendered.length());
        if (image != images.size()) throw placeholders("image", images.size(), image);
        if (video != videos.size()) throw placeholders("video", videos.size(), video);
        return out.toString();
    }

    private static String videoText(VideoInput video) {
        StringBuilder s = new StringBuilder();
        String pads = VIDEO_PAD.repeat(video.tokensPerGroup());
        for (int g = 0; g < video.vision().gridT(); g++) {
            s.append(video.timestampLabel(g)).append(VISION_START).append(pads).append(VISION_END);
        }
        return s.toString();
    }

    /** Tokenizes the expanded prompt and pairs it with the pixels, in the form the generator takes. */
    public static MultimodalInput tokenize(Tokenizer tokenizer, String rendered, List<VisionInput> images,
                                           List<VideoInput> videos) {
        int[] ids = tokenizer.encode(expand(rendered, images, videos));
        return input(ids, images, videos);
    }

    /** Pairs already expanded ids with the pixels. */
    public static MultimodalInput input(int[] ids, List<VisionInput> images, List<VideoInput> videos) {
        List<VisualPatches> imagePixels = new ArrayList<>();
        for (var image : images) imagePixels.add(new VisualPatches(image.pixelValues(), image.gridThw()));
        List<VisualPatches> videoPixels = new ArrayList<>();
        for (var video : videos) videoPixels.add(new VisualPatches(video.vision().pixelValues(), video.vision().gridThw()));
        return new MultimodalInput(ids, imagePixels, videoPixels);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length())) n++;
        return n;
    }

    private static IllegalArgumentException placeholders(String kind, int given, int placeholders) {
        return new IllegalArgumentException("the prompt has " + placeholders + " " + kind + " placeholder(s) but "
                + given + " " + kind + "(s) were given");
    }
}
