package dev.qwen4j.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HubHttpTest {
    private final HubHttp http = new HubHttp(URI.create("https://huggingface.co"), null, Duration.ofSeconds(1));
    private final RepoId repo = new RepoId("Qwen/Qwen3-0.6B");

    @Test
    void revisionsAreOneEncodedPathSegment() {
        assertThat(http.modelInfoUri(repo, "refs/pr/1").toString())
                .isEqualTo("https://huggingface.co/api/models/Qwen/Qwen3-0.6B/revision/refs%2Fpr%2F1?blobs=true");
    }

    @Test
    void filePathsKeepTheirSlashes() {
        assertThat(http.resolveUri(repo, "main", "onnx/model weights.onnx").toString())
                .isEqualTo("https://huggingface.co/Qwen/Qwen3-0.6B/resolve/main/onnx/model%20weights.onnx");
    }
}
