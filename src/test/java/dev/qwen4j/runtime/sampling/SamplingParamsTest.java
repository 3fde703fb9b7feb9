package dev.qwen4j.runtime.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamplingParamsTest {
    @TempDir
    Path dir;

    @Test
    void greedyHasNoPenaltiesAndDisabledWarpers() {
        SamplingParams greedy = SamplingParams.greedy();
        assertThat(greedy.isGreedy()).isTrue();
        assertThat(greedy.temperature()).isZero();
        assertThat(greedy.topK()).isZero();
        assertThat(greedy.topP()).isEqualTo(1f);
        assertThat(greedy.minP()).isZero();
        assertThat(greedy.repetitionPenalty()).isEqualTo(1f);
        assertThat(greedy.presencePenalty()).isZero();
        assertThat(greedy.frequencyPenalty()).isZero();
        assertThat(greedy.hasRandomSeed()).isTrue();
        assertThat(greedy.maxTokens()).isEqualTo(SamplingParams.DEFAULT_MAX_TOKENS);
        assertThat(greedy.stop()).isEmpty();
        assertThat(greedy.eosTokenIds()).isEmpty();
        assertThat(greedy.ignoreEos()).isFalse();
    }

    @Test
    void withersChangeExactlyOneField() {
        SamplingParams p = SamplingParams.greedy()
                .withTemperature(0.7f).withTopK(20).withTopP(0.8f).withMinP(0.05f).withRepetitionPenalty(1.1f)
                .withPresencePenalty(1.5f).withFrequencyPenalty(-0.5f).withSeed(42).withMaxTokens(100)
                .withStop(List.of("</s>")).withEosTokenIds(Set.of(7)).withIgnoreEos(true);
        assertThat(p).isEqualTo(new SamplingParams(0.7f, 20, 0.8f, 0.05f, 1.1f, 1.5f, -0.5f, 42, 100,
                List.of("</s>"), Set.of(7), true));
        assertThat(p.isGreedy()).isFalse();
        assertThat(p.withTemperature(1e-6f).isGreedy()).as("below the epsilon").isTrue();
        assertThat(p.withTopK(1).isGreedy()).isTrue();
        assertThat(p.validate()).isSameAs(p);
    }

    @Test
    void collectionsAreCopiedAndNullMeansEmpty() {
        List<String> stops = new ArrayList<>(List.of("a"));
        SamplingParams p = SamplingParams.greedy().withStop(stops);
        stops.add("b");
        assertThat(p.stop()).containsExactly("a");
        assertThat(SamplingParams.greedy().withStop(null).stop()).isEmpty();
        assertThat(SamplingParams.greedy().withEosTokenIds(null).eosTokenIds()).isEmpty();
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                invalid(p -> p.withTemperature(-0.1f), "temperature", "-0.1"),
                invalid(p -> p.withTemperature(Float.NaN), "temperature", "NaN"),
                invalid(p -> p.withTemperature(Float.POSITIVE_INFINITY), "temperature", "Infinity"),
                invalid(p -> p.withTopK(-1), "topK", "-1"),
                invalid(p -> p.withTopP(0f), "topP", "0.0"),
                invalid(p -> p.withTopP(1.01f), "topP", "1.01"),
                invalid(p -> p.withMinP(-0.01f), "minP", "-0.01"),
                invalid(p -> p.withMinP(1.5f), "minP", "1.5"),
                invalid(p -> p.withRepetitionPenalty(0f), "repetitionPenalty", "0.0"),
                invalid(p -> p.withRepetitionPenalty(-1f), "repetitionPenalty", "-1.0"),
                invalid(p -> p.withPresencePenalty(2.5f), "presencePenalty", "2.5"),
                invalid(p -> p.withPresencePenalty(Float.NaN), "presencePenalty", "NaN"),
                invalid(p -> p.withFrequencyPenalty(-2.01f), "frequencyPenalty", "-2.01"),
                invalid(p -> p.withMaxTokens(0), "maxTokens", "0"),
                invalid(p -> p.withStop(Arrays.asList("ok", "")), "stop", "[ok, ]"),
                invalid(p -> p.withEosTokenIds(Set.of(-3)), "eosTokenIds", "-3"));
    }

    private static Arguments invalid(UnaryOperator<SamplingParams> change, String field, String value) {
        return Arguments.of(change, field, value);
    }

    @ParameterizedTest(name = "{1} = {2}")
    @MethodSource("invalidSettings")
    void rejectsOutOfRangeValuesNamingFieldAndValue(UnaryOperator<SamplingParams> change, String field,
            String value) {
        assertThatThrownBy(() -> change.apply(SamplingParams.greedy()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(field + " must ")
                .hasMessageContaining(value);
    }

    @Test
    void acceptsTheEdgesOfEachRange() {
        SamplingParams p = SamplingParams.greedy().withTopP(1f).withMinP(1f).withMinP(0f).withPresencePenalty(-2f)
                .withFrequencyPenalty(2f).withTopK(0).withMaxTokens(1).withRepetitionPenalty(0.01f);
        assertThat(p.maxTokens()).isEqualTo(1);
    }

    @Test
    void readsQwen3GenerationConfig() throws Exception {
        Path file = write("""
                {"bos_token_id": 151643, "do_sample": true, "eos_token_id": [151645, 151643],
                 "pad_token_id": 151643, "temperature": 0.6, "top_k": 20, "top_p": 0.95,
                 "transformers_version": "4.57.0"}""");
        SamplingParams p = SamplingParams.fromGenerationConfig(file);
        assertThat(p).isEqualTo(new SamplingParams(0.6f, 20, 0.95f, 0f, 1f, 0f, 0f, -1, SamplingParams.DEFAULT_MAX_TOKENS,
                List.of(), Set.of(151645, 151643), false));
    }

    @Test
    void readsTheGoldenModelsGenerationConfig() {
        SamplingParams p = SamplingParams.fromGenerationConfig(
                Path.of("src/test/resources/golden/models/tiny-qwen3-vl/generation_config.json"));
        assertThat(p.temperature()).isEqualTo(0.7f);
        assertThat(p.topK()).isEqualTo(20);
        assertThat(p.topP()).isEqualTo(0.8f);
        assertThat(p.eosTokenIds()).containsExactlyInAnyOrder(151645, 151643);
    }

    @Test
    void appliesHuggingFaceDefaultsForAbsentKeys() throws Exception {
        SamplingParams p = SamplingParams.fromGenerationConfig(write("""
                {"do_sample": true, "eos_token_id": 2, "max_new_tokens": 256, "min_p": 0.1,
                 "repetition_penalty": 1.05}"""));
        assertThat(p.temperature()).isEqualTo(1f);
        assertThat(p.topK()).as("HF's default top_k").isEqualTo(50);
        assertThat(p.topP()).isEqualTo(1f);
        assertThat(p.minP()).isEqualTo(0.1f);
        assertThat(p.repetitionPenalty()).isEqualTo(1.05f);
        assertThat(p.maxTokens()).isEqualTo(256);
        assertThat(p.eosTokenIds()).containsExactly(2);

        assertThat(SamplingParams.fromGenerationConfig(write("{\"do_sample\": true, \"top_k\": null}")).topK())
                .as("explicit null switches top-k off").isZero();
    }

    @Test
    void doSampleFalseIsGreedyButKeepsRepetitionPenalty() throws Exception {
        SamplingParams p = SamplingParams.fromGenerationConfig(write("""
                {"temperature": 0.6, "top_p": 0.9, "repetition_penalty": 1.2}"""));
        assertThat(p.isGreedy()).isTrue();
        assertThat(p.repetitionPenalty()).isEqualTo(1.2f);
        assertThat(p.withTemperature(0.6f).topP()).as("recorded for when sampling is turned on").isEqualTo(0.9f);
    }

    @Test
    void missingFileGivesGreedyDefaults() {
        assertThat(SamplingParams.fromGenerationConfig(dir.resolve("absent.json"))).isEqualTo(SamplingParams.greedy());
    }

    @Test
    void malformedJsonNamesTheFile() throws Exception {
        Path file = write("{\"do_sample\": true,");
        assertThatThrownBy(() -> SamplingParams.fromGenerationConfig(file))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(file.toString());
        Path array = write("[1, 2]");
        assertThatThrownBy(() -> SamplingParams.fromGenerationConfig(array))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(array.toString()).hasMessageContaining("JSON object");
    }

    @Test
    void wrongTypesAndValuesNameFileAndKey() throws Exception {
        Path text = write("{\"do_sample\": true, \"temperature\": \"hot\"}");
        assertThatThrownBy(() -> SamplingParams.fromGenerationConfig(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text.toString()).hasMessageContaining("\"temperature\"")
                .hasMessageContaining("\"hot\"");
        Path eos = write("{\"eos_token_id\": [1, \"x\"]}");
        assertThatThrownBy(() -> SamplingParams.fromGenerationConfig(eos))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(eos.toString()).hasMessageContaining("eos_token_id");
        Path range = write("{\"do_sample\": true, \"top_p\": 0}");
        assertThatThrownBy(() -> SamplingParams.fromGenerationConfig(range))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(range.toString()).hasMessageContaining("topP");
    }

    private int files;

    private Path write(String json) throws Exception {
        Path file = dir.resolve("generation_config_" + files++ + ".json");
        Files.writeString(file, json);
        return file;
    }
}
