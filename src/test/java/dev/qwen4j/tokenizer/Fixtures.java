package dev.qwen4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The golden fixtures under {@code src/test/resources/golden}, loaded once per test JVM. */
final class Fixtures {
    private static Tokenizer qwen3;
    private static JsonNode cases;

    private Fixtures() {}

    static Path modelDir() {
        try {
            return Path.of(Fixtures.class.getResource("/golden/models/tiny-qwen3").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path tokenizerJson() {
        return modelDir().resolve("tokenizer.json");
    }

    /** The real Qwen3 tokenizer, shared by the tests (it is immutable). */
    static synchronized Tokenizer qwen3() {
        if (qwen3 == null) {
            qwen3 = Tokenizer.fromModelDir(modelDir());
        }
        return qwen3;
    }

    /** {@code cases/tokenizer.json}: the encode/decode cases, added tokens and rendered chat templates. */
    static synchronized JsonNode cases() {
        if (cases == null) {
            try {
                cases = new ObjectMapper().readTree(Path.of(Fixtures.class.getResource(
                        "/golden/cases/tokenizer.json").toURI()).toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return cases;
    }

    static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).intValue();
        }
        return values;
    }
}
