package dev.qwen4j.runtime;

/** A submitted request: lets the caller cancel it, which frees its KV blocks at the next step boundary. */
public interface RequestHandle {
    String id();

    /** Asks the engine to end the request with {@link StopReason#CANCELLED}; no-op once it finished. */
    void cancel();
}
