package dev.qwen4j.server;

import dev.qwen4j.runtime.PromptEmbeddings;

/**
 * A request's prompt as the engine takes it.
 *
 * @param ids        prompt token ids (image placeholders included)
 * @param embeddings the images' embeddings and M-RoPE positions, or null for a text prompt
 */
public record ModelPrompt(int[] ids, PromptEmbeddings embeddings) {
    public static ModelPrompt text(int[] ids) {
        return new ModelPrompt(ids, null);
    }
}
