package dev.qwen4j.model.qwen3vl;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.model.qwen3.Qwen3Config;

/**
 * A Qwen3-VL (or Qwen3-VL-MoE) config.json: the text decoder from `text_config`, the vision tower from
 * `vision_config`, and the special token ids at the top level (spec §4.1).
 */
public record Qwen3VLConfig(Qwen3Config text, VisionConfig vision, int imageTokenId, int videoTokenId,
                            int visionStartTokenId, int visionEndTokenId) {

    public static Qwen3VLConfig read(ConfigReader c) {
        String type = c.requireString("model_type");
        ConfigReader textNode = c.child("text_config");
        if (textNode == null) throw c.error("text_config", "is required for model_type " + type);
        ConfigReader visionNode = c.child("vision_config");
        if (visionNode == null) throw c.error("vision_config", "is required for model_type " + type);
        // The text config inherits what hub configs only state at the top level: the MoE-ness (via
        // its model_type) and tie_word_embeddings (Qwen3-VL-2B/4B tie at the top level).
        ConfigReader textReader = textNode;
        if (!textNode.has("model_type") || (!textNode.has("tie_word_embeddings") && c.has("tie_word_embeddings"))) {
            ObjectNode merged = ((ObjectNode) textNode.node()).deepCopy();
            if (!merged.has("model_type")) merged.put("model_type", type + "_text");
            if (!merged.has("tie_word_embeddings")) merged.put("tie_word_embeddings", c.optBool("tie_word_embeddings", false));
            textReader = new ConfigReader(c.file(), merged);
        }
        Qwen3Config text = Qwen3Config.read(textReader);
        if (text.rope().mropeSection() == null) {
            throw c.error("text_config", "has no mrope_section (in rope_scaling or rope_parameters): Qwen3-VL needs M-RoPE");
        }
        VisionConfig vision = VisionConfig.read(visionNode);
        if (vision.outHiddenSize() != text.hiddenSize()) {
            throw visionNode.error("out_hidden_size", "(" + vision.outHiddenSize() + ") must equal text_config.hidden_size (" + text.hiddenSize() + ")");
        }
        return new Qwen3VLConfig(text, vision,
                c.optInt("image_token_id", 151655),
                c.optInt("video_token_id", 151656),
                c.optInt("vision_start_token_id", 151652),
                c.optInt("vision_end_token_id", 151653));
    }
}
