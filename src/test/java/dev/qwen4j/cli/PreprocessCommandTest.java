package dev.qwen4j.cli;

import static dev.qwen4j.cli.CliRunner.cli;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qwen4j.cli.CliRunner.Result;
import dev.qwen4j.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `qwen4j preprocess --json` reports exactly the golden grid, token count and pixel_values hash. */
class PreprocessCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VL = Golden.model("tiny-qwen3-vl").toString();

    @TempDir
    Path tmp;


    @Test
    void jsonMatchesEveryGoldenImage() throws Exception {
        JsonNode images = Golden.cases("tiny-qwen3-vl.json").get("images");
        assertThat(images.size()).isEqualTo(4);
        for (var e : images.properties()) {
            JsonNode g = e.getValue();
            Path file = Golden.ROOT.resolve(g.get("file").asText());
            Result r = cli("preprocess", "--model", VL, "--image", file.toString(), "--json");
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode o = JSON.readTree(r.out());
            assertThat(o.get("kind").asText()).isEqualTo("image");
            assertThat(Golden.ints(o.get("grid_thw"))).as(e.getKey()).containsExactly(Golden.ints(g.get("image_grid_thw")));
            assertThat(o.get("num_image_tokens").asInt()).isEqualTo(g.get("num_image_tokens").asInt());
            assertThat(o.get("pixel_values_sha256").asText()).isEqualTo(g.get("pixel_values").get("sha256_f32le").asText());
            assertThat(o.get("resized_width").asInt()).isEqualTo(g.get("resized_width").asInt());
            assertThat(o.get("resized_height").asInt()).isEqualTo(g.get("resized_height").asInt());
            assertThat(o.get("width").asInt()).isEqualTo(g.get("width").asInt());
            assertThat(Golden.ints(o.get("pixel_values_shape"))).containsExactly(Golden.ints(g.get("pixel_values").get("shape")));
        }
    }

    @Test
    void pixelLimitOverridesChangeTheGrid() throws Exception {
        Path file = Golden.ROOT.resolve("cases/images/gradient_100x60.png");
        Result r = cli("preprocess", "--model", VL, "--image", file.toString(), "--json", "--min-pixels", "4096");
        assertThat(r.exit()).as(r.err()).isZero();
        // 60/32 = 1.875 -> 64, 100/32 = 3.125 -> 96: with min 4096 no upscaling happens
        assertThat(Golden.ints(JSON.readTree(r.out()).get("grid_thw"))).containsExactly(1, 4, 6);
    }

    @Test
    void textOutputNamesTheFields() {
        Path file = Golden.ROOT.resolve("cases/images/checker_32x32.png");
        Result r = cli("preprocess", "--model", VL, "--image", file.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("grid_thw: [1,16,16]").contains("num_image_tokens: 64")
                .contains("pixel_values_sha256: 13ae1a3f");
    }

    @Test
    void badImageIsOneClearErrorLine() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.jpg"), "not an image");
        Result r = cli("preprocess", "--model", VL, "--image", bad.toString(), "--json");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("qwen4j: error: " + bad).doesNotContain("\tat ");
    }

    @Test
    void textModelIsAUsageError() {
        Path file = Golden.ROOT.resolve("cases/images/checker_32x32.png");
        Result r = cli("preprocess", "--model", Golden.model("tiny-qwen3").toString(), "--image", file.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("preprocessor_config.json");
    }

    @Test
    void videoFolderReportsTimestamps() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("frames"));
        Path src = Golden.ROOT.resolve("cases/images/gradient_100x60.png");
        for (int i = 1; i <= 4; i++) Files.copy(src, dir.resolve("f" + i + ".png"));
        Result r = cli("preprocess", "--model", VL, "--video", dir.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        assertThat(o.get("kind").asText()).isEqualTo("video");
        assertThat(Golden.ints(o.get("frame_indices"))).containsExactly(0, 1, 2, 3);
        assertThat(Golden.ints(o.get("grid_thw"))).containsExactly(2, 4, 6);
        assertThat(o.get("num_video_tokens").asInt()).isEqualTo(12);
        assertThat(o.get("timestamps").toString()).isEqualTo("[\"<0.2 seconds>\",\"<1.2 seconds>\"]");
    }
}
