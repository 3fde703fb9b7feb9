package dev.qwen4j.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
    @Test
    void drawsAnAsciiBarPerFile() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        ConsoleProgress progress = new ConsoleProgress(new PrintStream(buffer, true, StandardCharsets.UTF_8), 100);

        progress.fileStarted("model.safetensors", 4L << 20);
        progress.bytes("model.safetensors", 1L << 20);
        progress.bytes("model.safetensors", 3L << 20);
        progress.fileDone("model.safetensors");
        progress.fileStarted("config.json", 691);
        progress.fileFailed("config.json", new HubException(HubException.Reason.NETWORK, "gone"));

        String out = buffer.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("model.safetensors", "100%", "4/4MiB", "config.json", "0/691B", "failed");
        String[] lines = out.split("\n"); // bars redraw with '\r'; a finished bar ends its line
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains("model.safetensors").doesNotContain("config.json");
        assertThat(lines[1]).contains("config.json");
        assertThat(out).doesNotContain("\u2588"); // ASCII style, no block characters
    }
}
