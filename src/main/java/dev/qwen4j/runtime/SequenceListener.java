package dev.qwen4j.runtime;

/**
 * Receives one request's output. Called on the engine thread between steps, so implementations must
 * return quickly (hand the event to another thread); an exception thrown here cancels the request.
 */
public interface SequenceListener {
    void onToken(TokenEvent event);

    /** Called exactly once, last. */
    void onFinish(SequenceResult result);
}
