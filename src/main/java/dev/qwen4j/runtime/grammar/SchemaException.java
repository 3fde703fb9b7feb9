package dev.qwen4j.runtime.grammar;

/** A JSON schema that constrained decoding cannot enforce; the message names the schema path and keyword. */
public final class SchemaException extends RuntimeException {
    public SchemaException(String path, String problem) {
        super("JSON schema at #" + path + ": " + problem);
    }
}
