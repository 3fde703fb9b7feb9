package dev.qwen4j.api;

import dev.qwen4j.model.VisionInput;
import java.util.List;

/**
 * A prompt for a vision-language model: token ids in which every image already stands as its run of
 * `<|image_pad|>` tokens (t·h·w/4 of them; video temporal groups likewise with `<|video_pad|>`), and the
 * preprocessed pixels of those images and videos in prompt order.
 */
public record MultimodalInput(int[] ids, List<VisionInput> images, List<VisionInput> videos) {
    public MultimodalInput {
        images = List.copyOf(images);
        videos = List.copyOf(videos);
    }

    public static MultimodalInput images(int[] ids, List<VisionInput> images) {
        return new MultimodalInput(ids, images, List.of());
    }
}
