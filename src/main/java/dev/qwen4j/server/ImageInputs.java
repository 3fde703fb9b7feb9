package dev.qwen4j.server;

import java.util.List;
import java.util.Map;

/**
 * The model side of image inputs on the request → prompt path. The chat handler collects every image part
 * in order and leaves its place in the message as a content part the chat template understands
 * ({@code {"type": "image"}}); then it asks this for the prompt. A vision model's implementation decodes the
 * images, renders and tokenizes the conversation, expands the placeholder tokens and returns the vision
 * encoder's embeddings and M-RoPE positions with the ids ({@link dev.qwen4j.runtime.PromptEmbeddings}), which
 * the engine feeds to the model; text-only models use {@link #TEXT_ONLY}, which refuses images with a 400.
 */
public interface ImageInputs {
    /**
     * @param messages the conversation as the template takes it (image parts as {@code {"type": "image"}})
     * @param images   the images in order of appearance (empty for text-only requests)
     * @param render   renders messages to prompt text with the request's template arguments
     * @throws ApiException for images the model cannot take
     */
    ModelPrompt prompt(List<Map<String, Object>> messages, List<ImagePart> images, PromptRenderer render);

    /** Renders a conversation and tokenizes it. */
    interface PromptRenderer {
        String render(List<Map<String, Object>> messages);

        int[] tokenize(String text);
    }

    ImageInputs TEXT_ONLY = (messages, images, render) -> {
        if (!images.isEmpty()) {
            ImagePart first = images.getFirst();
            throw ApiException.invalid(first.param(), "This model accepts text only; image inputs need a Qwen3-VL model");
        }
        return ModelPrompt.text(render.tokenize(render.render(messages)));
    };
}
