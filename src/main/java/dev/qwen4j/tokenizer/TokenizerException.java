package dev.qwen4j.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A tokenizer definition that cannot be used: an unreadable or malformed {@code tokenizer.json}, a missing or
 * ill-typed field, or a feature of the Hugging Face format this engine does not implement. The message names
 * the file and the JSON field so that the user can find the problem.
 */
public class TokenizerException extends RuntimeException {
    private final Path file;
    private final String field;

    public TokenizerException(Path file, String field, String problem) {
        this(file, field, problem, null);
    }

    public TokenizerException(Path file, String field, String problem, Throwable cause) {
        super(describe(file, field, problem), cause);
        this.file = file;
        this.field = field;
    }

    /** The file being read, absent for tokenizers built from in-memory vocabularies. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The JSON field (dotted path) at fault, absent when the problem concerns the file as a whole. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** Reads a tokenizer file whole; a missing or unreadable file is reported under its name. */
    static byte[] readFile(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file, null, "file not found", e);
        } catch (IOException e) {
            throw new TokenizerException(file, null, "cannot read: " + e, e);
        }
    }

    private static String describe(Path file, String field, String problem) {
        StringBuilder message = new StringBuilder();
        if (file != null) {
            message.append(file).append(": ");
        }
        if (field != null) {
            message.append("field '").append(field).append("': ");
        }
        return message.append(problem).toString();
    }
}
