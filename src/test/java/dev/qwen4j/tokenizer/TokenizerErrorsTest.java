package dev.qwen4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad tokenizer files fail with a {@link TokenizerException} that names the file and the field at fault. */
class TokenizerErrorsTest {
    @TempDir
    Path dir;

    private static TokenizerException thrownBy(ThrowingCallable call) {
        return (TokenizerException) org.assertj.core.api.Assertions.catchThrowableOfType(TokenizerException.class, call);
    }

    private Path file(String json) throws IOException {
        return Files.writeString(dir.resolve("tokenizer.json"), json, StandardCharsets.UTF_8);
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("nope.json");
        TokenizerException e = thrownBy(() -> Tokenizer.fromFile(missing));
        assertThat(e.file()).hasValue(missing);
        assertThat(e.getMessage()).contains(missing.toString()).contains("not found");
    }

    @Test
    void modelDirectoryWithoutTokenizer() {
        TokenizerException e = thrownBy(() -> Tokenizer.fromModelDir(dir));
        assertThat(e.file()).hasValue(dir.resolve("tokenizer.json"));
    }

    @Test
    void truncatedRealTokenizerNamesTheFieldItStopsIn() throws IOException {
        byte[] full = Files.readAllBytes(Fixtures.tokenizerJson());
        for (double fraction : new double[] {0.3, 0.7, 0.999}) {
            Path truncated = Files.write(dir.resolve("tokenizer.json"),
                    java.util.Arrays.copyOf(full, (int) (full.length * fraction)));
            TokenizerException e = thrownBy(() -> Tokenizer.fromFile(truncated));
            assertThat(e.file()).hasValue(truncated);
            assertThat(e.field()).get(org.assertj.core.api.InstanceOfAssertFactories.STRING).startsWith("model.");
            assertThat(e.getMessage()).contains("truncated");
        }
    }

    @Test
    void truncatedInsideTheVocabulary() throws IOException {
        Path path = file("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\"");
        TokenizerException e = thrownBy(() -> Tokenizer.fromFile(path));
        assertThat(e.field()).hasValue("model.vocab");
        assertThat(e.getMessage()).contains(path.toString()).contains("'model.vocab'").contains("truncated");
    }

    @Test
    void emptyFile() throws IOException {
        Path path = file("");
        assertThat(thrownBy(() -> Tokenizer.fromFile(path)).getMessage()).contains("empty");
    }

    @Test
    void missingVocabulary() throws IOException {
        SyntheticTokenizer synthetic = new SyntheticTokenizer();
        synthetic.model.remove("vocab");
        Path path = synthetic.write(dir.resolve("tokenizer.json"));
        TokenizerException e = thrownBy(() -> Tokenizer.fromFile(path));
        assertThat(e.file()).hasValue(path);
        assertThat(e.field()).hasValue("model.vocab");
        assertThat(e.getMessage()).contains("missing");
    }

    @Test
    void missingModelAndMerges() {
        SyntheticTokenizer noMerges = new SyntheticTokenizer();
        noMerges.model.remove("merges");
        assertThat(thrownBy(() -> noMerges.load(dir)).field()).hasValue("model.merges");
        SyntheticTokenizer noModel = new SyntheticTokenizer();
        noModel.root.remove("model");
        assertThat(thrownBy(() -> noModel.load(dir)).field()).hasValue("model");
    }

    @Test
    void mergeOfUnknownTokens() {
        SyntheticTokenizer synthetic = new SyntheticTokenizer("a b");
        synthetic.merges.add(List.of("x", "zzz"));
        TokenizerException e = thrownBy(() -> synthetic.load(dir));
        assertThat(e.field()).hasValue("model.merges.1");
        assertThat(e.getMessage()).contains("\"zzz\"");
    }

    @Test
    void mergeInBadStringForm() {
        SyntheticTokenizer synthetic = new SyntheticTokenizer();
        synthetic.merges.add("nospace");
        assertThat(thrownBy(() -> synthetic.load(dir)).field()).hasValue("model.merges.0");
    }

    @Test
    void nonIntegerVocabularyId() throws IOException {
        Path path = file("{\"model\": {\"vocab\": {\"a\": \"zero\"}}}");
        TokenizerException e = thrownBy(() -> Tokenizer.fromFile(path));
        assertThat(e.field()).hasValue("model.vocab");
        assertThat(e.getMessage()).contains("integer");
    }

    @Test
    void implausiblyLargeIdIsRejectedBeforeAllocatingForIt() throws IOException {
        Path path = file("{\"model\": {\"vocab\": {\"a\": 4000000000}}}");
        assertThat(thrownBy(() -> Tokenizer.fromFile(path)).field()).hasValue("model.vocab.a");
    }

    @Test
    void malformedJson() throws IOException {
        Path path = file("{\"model\": {\"vocab\": {\"a\" 0}}}");
        TokenizerException e = thrownBy(() -> Tokenizer.fromFile(path));
        assertThat(e.field()).hasValue("model.vocab");
        assertThat(e.getMessage()).contains("malformed JSON").contains("expected ':'");
        Path missingValue = file("{\"version\": , \"model\": {}}");
        assertThat(thrownBy(() -> Tokenizer.fromFile(missingValue))).satisfies(error -> {
            assertThat(error.field()).hasValue("version");
            assertThat(error.getMessage()).contains("malformed JSON");
        });
        Path notAnObject = file("{\"model\": 3}");
        assertThat(thrownBy(() -> Tokenizer.fromFile(notAnObject)).getMessage()).contains("'model'")
                .contains("expected an object");
        Path trailing = file("{} {}");
        assertThat(thrownBy(() -> Tokenizer.fromFile(trailing)).getMessage()).contains("after the top-level object");
    }

    @Test
    void unsupportedComponentsAreRejectedByName() {
        SyntheticTokenizer lowercase = new SyntheticTokenizer();
        lowercase.root.put("normalizer", Map.of("type", "Lowercase"));
        assertThat(thrownBy(() -> lowercase.load(dir))).satisfies(e -> {
            assertThat(e.field()).hasValue("normalizer.type");
            assertThat(e.getMessage()).contains("Lowercase");
        });
        SyntheticTokenizer whitespace = new SyntheticTokenizer();
        whitespace.root.put("pre_tokenizer", Map.of("type", "Whitespace"));
        assertThat(thrownBy(() -> whitespace.load(dir)).field()).hasValue("pre_tokenizer.type");
        SyntheticTokenizer wordPiece = new SyntheticTokenizer();
        wordPiece.model.put("type", "WordPiece");
        assertThat(thrownBy(() -> wordPiece.load(dir)).field()).hasValue("model.type");
        SyntheticTokenizer byteFallback = new SyntheticTokenizer();
        byteFallback.model.put("byte_fallback", true);
        assertThat(thrownBy(() -> byteFallback.load(dir)).field()).hasValue("model.byte_fallback");
        SyntheticTokenizer noDecoder = new SyntheticTokenizer();
        noDecoder.root.remove("decoder");
        assertThat(thrownBy(() -> noDecoder.load(dir)).field()).hasValue("decoder");
        SyntheticTokenizer mergedWithNext = new SyntheticTokenizer();
        mergedWithNext.root.put("pre_tokenizer", Map.of("type", "Split", "behavior", "MergedWithNext",
                "pattern", Map.of("Regex", "x")));
        assertThat(thrownBy(() -> mergedWithNext.load(dir)).field()).hasValue("pre_tokenizer.behavior");
    }

    @Test
    void untranslatableRegex() {
        SyntheticTokenizer synthetic = new SyntheticTokenizer();
        synthetic.root.put("pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(
                Map.of("type", "Split", "behavior", "Isolated", "pattern", Map.of("Regex", "(unclosed")),
                Map.of("type", "ByteLevel", "use_regex", false))));
        assertThat(thrownBy(() -> synthetic.load(dir)).field()).hasValue("pre_tokenizer.pretokenizers.0.pattern.Regex");
    }

    @Test
    void badAddedToken() {
        SyntheticTokenizer synthetic = new SyntheticTokenizer();
        synthetic.addedTokens.add(Map.of("id", 300));
        assertThat(thrownBy(() -> synthetic.load(dir)).field()).hasValue("added_tokens.0.content");
    }

    @Test
    void malformedTokenizerConfigNamesThatFile() throws IOException {
        new SyntheticTokenizer().write(dir.resolve("tokenizer.json"));
        Path config = Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": 5}");
        TokenizerException e = thrownBy(() -> Tokenizer.fromModelDir(dir));
        assertThat(e.file()).hasValue(config);
        assertThat(e.field()).hasValue("eos_token");
    }

    @Test
    void badVocabularyListsForGguf() {
        assertThatThrownBy(() -> Tokenizer.fromVocab(List.of("a", "b"), List.of("a c"), Map.of()))
                .asInstanceOf(type(TokenizerException.class))
                .satisfies(e -> {
                    assertThat(e.field()).hasValue("merges.0");
                    assertThat(e.file()).isEmpty();
                });
        assertThatThrownBy(() -> Tokenizer.fromVocab(List.of("a"), List.of(), Map.of(7, true)))
                .isInstanceOf(TokenizerException.class).hasMessageContaining("specialFlags.7");
    }
}
