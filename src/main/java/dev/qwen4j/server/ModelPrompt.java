package dev.qwen4j.server;

import dev.qwen4j.model.MultimodalPrompt;

/**
 * A request's prompt as the engine takes it.
 *
 * @param ids        prompt token ids (image placeholders included)
 * @param multimodal the prompt with its images' features and M-RoPE positions, or null for a text prompt
 */
public record ModelPrompt(int[] ids, MultimodalPrompt multimodal) {
    public static ModelPrompt text(int[] ids) {
        return new ModelPrompt(ids, null);
    }
}
