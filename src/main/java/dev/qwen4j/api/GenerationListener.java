package dev.qwen4j.api;

/** Receives generation as it happens. Every method has a no-op default. */
public interface GenerationListener {
    /** After the prompt is processed: promptTokens done out of total. */
    default void prefillProgress(int done, int total) {}

    /** One generated token and the text it completes (may be empty while a character is incomplete). */
    default void token(int id, String text) {}

    GenerationListener NONE = new GenerationListener() {};
}
