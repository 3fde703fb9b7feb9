package dev.qwen4j.server;

import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.model.MultimodalPrompt;
import dev.qwen4j.model.VisionLanguageModel;
import dev.qwen4j.model.VisualPatches;
import dev.qwen4j.vision.BadMediaException;
import dev.qwen4j.vision.VisionInput;
import dev.qwen4j.vision.VisionPrompt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Images for a Qwen3-VL model: fetched, decoded and preprocessed exactly as the CLI does, the conversation
 * rendered with {@code {"type": "image"}} parts, the placeholders expanded, and the vision encoder run, so
 * the engine receives the prompt with its image features, DeepStack rows and M-RoPE positions.
 */
final class VisionImageInputs implements ImageInputs {
    private final Qwen3Runtime runtime;
    private final VisionLanguageModel model;
    private final ImageFetcher fetcher;

    VisionImageInputs(Qwen3Runtime runtime, ImageFetcher fetcher) {
        this.runtime = runtime;
        this.model = runtime.visionModel().orElseThrow(() -> new IllegalArgumentException(runtime.dir() + " is not a vision-language model"));
        this.fetcher = fetcher;
    }

    @Override
    public ModelPrompt prompt(List<Map<String, Object>> messages, List<ImagePart> images, PromptRenderer render) {
        List<VisionInput> inputs = new ArrayList<>();
        for (ImagePart part : images) {
            byte[] bytes = fetcher.fetch(part);
            try {
                inputs.add(runtime.imageProcessor().process(bytes, part.param()));
            } catch (BadMediaException e) {
                throw ApiException.invalid(part.param() + ".image_url.url", e.getMessage());
            }
        }
        String text = render.render(messages);
        if (inputs.isEmpty()) return ModelPrompt.text(render.tokenize(text));
        int[] ids = render.tokenize(VisionPrompt.expand(text, inputs, List.of()));
        List<VisualPatches> patches = new ArrayList<>();
        for (VisionInput v : inputs) patches.add(new VisualPatches(v.pixelValues(), v.gridThw()));
        // The vision tower runs here, on the request's thread, so the engine's step loop never waits for it.
        MultimodalPrompt prompt = model.prepare(ids, patches, List.of());
        return new ModelPrompt(ids, prompt);
    }
}
