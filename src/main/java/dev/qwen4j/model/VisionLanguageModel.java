package dev.qwen4j.model;

import java.util.List;

/**
 * A decoder that also reads images and videos (Qwen3-VL). Text-only use is the plain
 * {@link LanguageModel} path; a multimodal prompt goes through {@link #prepare} and then
 * {@link MultimodalPrompt#addChunk} per prefill chunk, and decoding after it must use rotary
 * positions cacheIndex + {@link MultimodalPrompt#ropeDelta()} ({@link MultimodalPrompt#decodePosition}).
 */
public interface VisionLanguageModel extends LanguageModel {
    /** Runs the vision tower on one image or video. */
    VisionEncoding encode(VisualPatches input);

    /**
     * Encodes the images and videos and lays them out over the prompt: ids must already hold, per image,
     * t·h·w/4 image pad tokens (per video temporal group h·w/4 video pad tokens) in the order the
     * inputs are given. Fails before any vision work when the prompt exceeds the context or the pad
     * runs do not match the inputs.
     */
    MultimodalPrompt prepare(int[] ids, List<VisualPatches> images, List<VisualPatches> videos);

    int imageTokenId();

    int videoTokenId();

    int visionStartTokenId();

    int visionEndTokenId();

    /** Merged tokens (pad tokens in the prompt) for an input with this grid: t·h·w / M². */
    int tokensFor(int[] gridThw);
}
