package dev.qwen4j.model;

/**
 * What a vision tower makes of one or more images/videos: one LLM-width row per merged visual token
 * (the rows that replace the `<|image_pad|>`/`<|video_pad|>` embeddings, in order) plus, per DeepStack
 * level, a tensor of the same shape that is added after the matching early decoder layer.
 *
 * @param embeds [tokens × hidden]
 * @param deepstack [levels][tokens × hidden]
 */
public record VisionEncoding(int tokens, int hidden, float[] embeds, float[][] deepstack) {}
