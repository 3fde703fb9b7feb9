package dev.qwen4j.api;

import dev.qwen4j.model.VisionLanguageModel;
import dev.qwen4j.model.VisualPatches;
import dev.qwen4j.tokenizer.Tokenizer;
import dev.qwen4j.vision.VideoInput;
import dev.qwen4j.vision.VisionInput;
import dev.qwen4j.vision.VisionPrompt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A prompt for a vision-language model: token ids in which every image already stands as its run of
 * `<|image_pad|>` tokens (t·h·w/4 of them; video temporal groups likewise with `<|video_pad|>`), and the
 * preprocessed pixels of those images and videos in prompt order.
 */
public record MultimodalInput(int[] ids, List<VisualPatches> images, List<VisualPatches> videos) {
    public MultimodalInput {
        images = List.copyOf(images);
        videos = List.copyOf(videos);
    }

    public static MultimodalInput images(int[] ids, List<VisualPatches> images) {
        return new MultimodalInput(ids, images, List.of());
    }

    /**
     * The processor's expansion for images (spec §5.6) on token ids: ids as the chat template renders
     * them, one `<|image_pad|>` per image, get that pad repeated t·h·w/4 times for the matching image.
     * `<|image_pad|>` is a special token, so expanding ids equals expanding the text before tokenizing.
     */
    public static MultimodalInput expandImages(int[] ids, List<VisualPatches> images, VisionLanguageModel model) {
        int pad = model.imageTokenId();
        int placeholders = 0;
        long total = ids.length;
        for (int id : ids) if (id == pad) placeholders++;
        if (placeholders != images.size()) {
            throw new IllegalArgumentException("the prompt has " + placeholders + " <|image_pad|> placeholders but " + images.size() + " images were given");
        }
        for (VisualPatches v : images) total += model.tokensFor(v.gridThw()) - 1;
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("expanded prompt too long: " + total + " tokens");
        int[] out = new int[(int) total];
        int o = 0, image = 0;
        for (int id : ids) {
            if (id != pad) {
                out[o++] = id;
                continue;
            }
            int n = model.tokensFor(images.get(image++).gridThw());
            Arrays.fill(out, o, o + n, pad);
            o += n;
        }
        return images(out, images);
    }

    /** Tokenizes a rendered chat prompt after expanding its image/video placeholders, and pairs it with the pixels. */
    public static MultimodalInput tokenize(Tokenizer tokenizer, String rendered, List<VisionInput> images, List<VideoInput> videos) {
        return of(tokenizer.encode(VisionPrompt.expand(rendered, images, videos)), images, videos);
    }

    /** Pairs already expanded ids with preprocessed images and videos. */
    public static MultimodalInput of(int[] ids, List<VisionInput> images, List<VideoInput> videos) {
        List<VisualPatches> imagePatches = new ArrayList<>();
        for (VisionInput image : images) imagePatches.add(new VisualPatches(image.pixelValues(), image.gridThw()));
        List<VisualPatches> videoPatches = new ArrayList<>();
        for (VideoInput video : videos) videoPatches.add(new VisualPatches(video.vision().pixelValues(), video.vision().gridThw()));
        return new MultimodalInput(ids, imagePatches, videoPatches);
    }
}
