package dev.qwen4j.vision;

import java.util.List;

/**
 * The prompt text a processed image or video stands for ({@code Qwen3VLProcessor}'s placeholder
 * expansion): the chat template emits one {@code <|vision_start|><|image_pad|><|vision_end|>} per image
 * and one {@code <|vision_start|><|video_pad|><|vision_end|>} per video; these strings replace them.
 */
public final class VisionPrompt {
    public static final String VISION_START = "<|vision_start|>";
    public static final String VISION_END = "<|vision_end|>";
    public static final String IMAGE_PAD = "<|image_pad|>";
    public static final String VIDEO_PAD = "<|video_pad|>";

    private VisionPrompt() {}

    /** Replaces the template's single {@code <|image_pad|>}: one pad per merged patch. */
    public static String imagePads(VisionInput image) {
        return IMAGE_PAD.repeat(image.numTokens());
    }

    /**
     * Replaces the whole {@code <|vision_start|><|video_pad|><|vision_end|>} (or a bare {@code <|video_pad|>}):
     * per temporal group, its {@code <t seconds>} label, then the group's pads wrapped in vision start/end.
     */
    public static String videoPlaceholder(VideoInput video) {
        String group = VISION_START + VIDEO_PAD.repeat(video.tokensPerGroup()) + VISION_END;
        StringBuilder sb = new StringBuilder();
        for (int g = 0; g < video.timestamps().length; g++) sb.append(video.timestampLabel(g)).append(group);
        return sb.toString();
    }

    /**
     * The rendered prompt with every placeholder expanded, images and videos matched to placeholders in
     * prompt order.
     *
     * @throws IllegalArgumentException when the placeholder counts differ from the media given
     */
    public static String expand(String rendered, List<VisionInput> images, List<VideoInput> videos) {
        String videoTriple = VISION_START + VIDEO_PAD + VISION_END;
        StringBuilder out = new StringBuilder(rendered.length() + 64);
        int image = 0, video = 0, at = 0;
        while (true) {
            int i = rendered.indexOf(IMAGE_PAD, at);
            int v = rendered.indexOf(VIDEO_PAD, at);
            if (i < 0 && v < 0) break;
            if (i >= 0 && (v < 0 || i < v)) {
                if (image == images.size()) throw mismatch("image", images.size(), count(rendered, IMAGE_PAD));
                out.append(rendered, at, i).append(imagePads(images.get(image++)));
                at = i + IMAGE_PAD.length();
            } else {
                if (video == videos.size()) throw mismatch("video", videos.size(), count(rendered, VIDEO_PAD));
                int start = v - VISION_START.length();
                boolean wrapped = start >= at && rendered.startsWith(videoTriple, start);
                out.append(rendered, at, wrapped ? start : v).append(videoPlaceholder(videos.get(video++)));
                at = wrapped ? start + videoTriple.length() : v + VIDEO_PAD.length();
            }
        }
        out.append(rendered, at, rendered.length());
        if (image != images.size()) throw mismatch("image", images.size(), image);
        if (video != videos.size()) throw mismatch("video", videos.size(), video);
        return out.toString();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length())) n++;
        return n;
    }

    private static IllegalArgumentException mismatch(String kind, int given, int placeholders) {
        return new IllegalArgumentException("the prompt has " + placeholders + " " + kind + " placeholder(s) but "
                + given + " " + kind + "(s) were given");
    }
}
