package dev.qwen4j.runtime;

/** The engine is shutting down and takes no new requests. */
public final class EngineClosedException extends RuntimeException {
    public EngineClosedException() {
        super("the engine is shutting down and takes no new requests");
    }
}
