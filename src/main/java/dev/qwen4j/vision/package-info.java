/**
 * Media decoding and Qwen3-VL preprocessing: everything between a file and the vision tower's input.
 *
 * <p>Images: {@link dev.qwen4j.vision.ImageDecoder} (PNG, JPEG incl. CMYK/YCCK, WebP, BMP, GIF, TIFF → RGB
 * exactly as transformers' {@code load_image}: EXIF transpose + Pillow {@code convert('RGB')}) →
 * {@link dev.qwen4j.vision.ImageProcessor} (smart_resize, Pillow-exact bicubic, rescale/normalise,
 * patchify) → {@link dev.qwen4j.vision.VisionInput}. Matches the golden fixtures (transformers' PIL
 * backend) bit for bit.
 *
 * <p>Videos: a {@link dev.qwen4j.vision.FrameSource} (FFmpeg via JavaCV, or a folder of frames) is
 * streamed through {@link dev.qwen4j.vision.VideoProcessor} (Qwen3VLVideoProcessor's frame sampling and
 * total pixel budget) → {@link dev.qwen4j.vision.VideoInput} with per-group timestamps;
 * {@link dev.qwen4j.vision.VisionPrompt} gives the placeholder text for the prompt.
 *
 * <p>Every unusable input is a {@link dev.qwen4j.vision.BadMediaException} naming the file.
 */
package dev.qwen4j.vision;
