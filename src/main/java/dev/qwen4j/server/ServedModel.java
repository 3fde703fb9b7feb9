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

    /** Starts an engine over the runtime's model (end-of-sequence ids from its generation config). */
    public static ServedModel start(String name, Qwen3Runtime runtime, EngineConfig config) {
        return of(name, runtime, runtime.newEngine(config));
    }
}
