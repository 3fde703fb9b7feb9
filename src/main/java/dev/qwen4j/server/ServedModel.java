package dev.qwen4j.server;

import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.runtime.Engine;
import dev.qwen4j.runtime.EngineConfig;

/**
 * What the server serves: a loaded model, the engine that batches its requests, and how it takes images.
 *
 * @param name           the id clients use in "model"
 * @param createdSeconds when it was loaded (for /v1/models)
 */
public record ServedModel(String name, Qwen3Runtime runtime, Engine engine, ImageInputs imageInputs, long createdSeconds) {
    public static ServedModel of(String name, Qwen3Runtime runtime, Engine engine) {
        return new ServedModel(name, runtime, engine, ImageInputs.TEXT_ONLY, System.currentTimeMillis() / 1000);
    }

    /** Starts an engine over the runtime's model (end-of-sequence ids from its generation config); no remote images. */
    public static ServedModel start(String name, Qwen3Runtime runtime, EngineConfig config) {
        return start(name, runtime, config, false, DEFAULT_MAX_IMAGE_BYTES);
    }

    /** Largest image a request may carry or the server may download. */
    public static final long DEFAULT_MAX_IMAGE_BYTES = 20L << 20;

    /**
     * Starts an engine; a Qwen3-VL model also takes images ({@code data:} URLs, and {@code http(s)} URLs when
     * {@code allowRemoteImages}).
     */
    public static ServedModel start(String name, Qwen3Runtime runtime, EngineConfig config, boolean allowRemoteImages, long maxImageBytes) {
        ImageInputs images = runtime.acceptsImages()
                ? new VisionImageInputs(runtime, new ImageFetcher(allowRemoteImages, maxImageBytes))
                : ImageInputs.TEXT_ONLY;
        return new ServedModel(name, runtime, runtime.newEngine(config), images, System.currentTimeMillis() / 1000);
    }
}
