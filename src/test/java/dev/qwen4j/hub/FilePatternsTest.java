package dev.qwen4j.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FilePatternsTest {
    @Test
    void starMatchesAcrossFoldersLikeFnmatch() {
        FilePatterns json = FilePatterns.of(List.of("*.json"));
        assertThat(json.matches("config.json")).isTrue();
        assertThat(json.matches("onnx/config.json")).isTrue();
        assertThat(json.matches("model.safetensors")).isFalse();
        assertThat(json.matches("config.JSON")).as("case-sensitive").isFalse();
    }

    @Test
    void questionMarkAndSetsMatchOneCharacter() {
        FilePatterns shards = FilePatterns.of(List.of("model-0000?-of-00002.safetensors"));
        assertThat(shards.matches("model-00001-of-00002.safetensors")).isTrue();
        assertThat(shards.matches("model-000012-of-00002.safetensors")).isFalse();

        FilePatterns set = FilePatterns.of(List.of("[a-c]*.txt", "[!x]?.bin"));
        assertThat(set.matches("b.txt")).isTrue();
        assertThat(set.matches("d.txt")).isFalse();
        assertThat(set.matches("ab.bin")).isTrue();
        assertThat(set.matches("xb.bin")).isFalse();
    }

    @Test
    void trailingSlashSelectsAFolder() {
        FilePatterns onnx = FilePatterns.of(List.of("onnx/"));
        assertThat(onnx.matches("onnx/model.onnx")).isTrue();
        assertThat(onnx.matches("onnx/sub/weights.bin")).isTrue();
        assertThat(onnx.matches("model.onnx")).isFalse();
    }

    @Test
    void regexCharactersAreLiteral() {
        FilePatterns pattern = FilePatterns.of(List.of("a+b(1).json", "[unclosed"));
        assertThat(pattern.matches("a+b(1).json")).isTrue();
        assertThat(pattern.matches("aab(1).json")).isFalse();
        assertThat(pattern.matches("[unclosed")).isTrue();
    }

    @Test
    void nullSelectsEverythingAndEmptySelectsNothing() {
        assertThat(FilePatterns.of(null).matches("anything/at.all")).isTrue();
        assertThat(FilePatterns.of(List.of()).matches("config.json")).isFalse();
    }
}
