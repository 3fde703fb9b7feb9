package dev.qwen4j.vision;

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
}
