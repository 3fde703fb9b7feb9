package dev.qwen4j.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qwen4j.testing.Golden;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every tiny-qwen3-vl golden image: decode, smart_resize, Pillow bicubic, normalise, patchify — all exact. */
class ImageProcessorGoldenTest {
    private static final Path MODEL = Golden.model("tiny-qwen3-vl");
    private static final ImageProcessor PROCESSOR = ImageProcessor.fromModelDir(MODEL);

    static Stream<Map.Entry<String, JsonNode>> images() {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        Golden.cases("tiny-qwen3-vl.json").get("images").properties().forEach(out::add);
        return out.stream();
    }

    @Test
    void goldenFileHasAllFourImages() {
        assertThat(images().map(Map.Entry::getKey))
                .containsExactlyInAnyOrder("gradient_100x60", "shapes_257x181", "checker_32x32", "noise_400x336");
    }

    @Test
    void encodedBytesGiveTheSameInputAsTheFile() throws Exception {
        Path file = Golden.ROOT.resolve("cases/images/shapes_257x181.png");
        VisionInput fromBytes = PROCESSOR.process(java.nio.file.Files.readAllBytes(file), "upload");
        assertThat(fromBytes.pixelValues()).isEqualTo(PROCESSOR.process(file).pixelValues());
    }

    @Test
    void tooElongatedImageIsBadMediaNamingIt() throws Exception {
        byte[] png = ImageDecoderTest.png(201, 1, new byte[1 + 201 * 3]);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PROCESSOR.process(png, "strip.png"))
                .isInstanceOf(BadMediaException.class).hasMessageStartingWith("strip.png:").hasMessageContaining("aspect ratio");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void resizedImageMatchesPillowExactly(Map.Entry<String, JsonNode> entry) {
        JsonNode g = entry.getValue();
        RgbImage img = new ImageDecoder().decode(Golden.ROOT.resolve(g.get("file").asText()));
        assertThat(img.width()).isEqualTo(g.get("width").asInt());
        assertThat(img.height()).isEqualTo(g.get("height").asInt());

        RgbImage resized = PROCESSOR.resize(img, PROCESSOR.config().minPixels(), PROCESSOR.config().maxPixels());
        assertThat(resized.height()).isEqualTo(g.get("resized_height").asInt());
        assertThat(resized.width()).isEqualTo(g.get("resized_width").asInt());
        assertThat(Sha256.hex(resized.pixels())).isEqualTo(g.get("resized_rgb_sha256").asText());
        RgbImage expected = new ImageDecoder().decode(Golden.ROOT.resolve(g.get("resized_png").asText()));
        assertThat(resized.pixels()).isEqualTo(expected.pixels());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void pixelValuesMatchGoldenBitForBit(Map.Entry<String, JsonNode> entry) {
        JsonNode g = entry.getValue();
        VisionInput in = PROCESSOR.process(Golden.ROOT.resolve(g.get("file").asText()));
        JsonNode pv = g.get("pixel_values");

        assertThat(in.gridThw()).containsExactly(Golden.ints(g.get("image_grid_thw")));
        assertThat(in.numPatches()).isEqualTo(g.get("num_patches").asInt());
        assertThat(in.numTokens()).isEqualTo(g.get("num_image_tokens").asInt());
        assertThat(new int[] {in.numPatches(), in.patchDim()}).containsExactly(Golden.ints(pv.get("shape")));
        assertThat(in.pixelValuesSha256()).isEqualTo(pv.get("sha256_f32le").asText());

        float[] v = in.pixelValues();
        double sum = 0, abs = 0, sq = 0, weighted = 0;
        for (int i = 0; i < v.length; i++) {
            sum += v[i];
            abs += Math.abs(v[i]);
            sq += (double) v[i] * v[i];
            weighted += v[i] * (double) (i % 997 + 1);
        }
        double tol = 1e-9 * v.length;
        assertThat(sum).isCloseTo(pv.get("sum").asDouble(), within(tol));
        assertThat(abs).isCloseTo(pv.get("abs_sum").asDouble(), within(tol));
        assertThat(sq).isCloseTo(pv.get("sum_sq").asDouble(), within(tol));
        assertThat(weighted).isCloseTo(pv.get("weighted_sum").asDouble(), within(tol * 1000));
        double[] first = Golden.doubles(pv.get("first"));
        for (int i = 0; i < first.length; i++) assertThat((double) v[i]).as("first[%d]", i).isEqualTo(first[i]);
        int[] probes = Golden.ints(pv.get("probe_flat_indices"));
        double[] probeValues = Golden.doubles(pv.get("probe_values"));
        for (int i = 0; i < probes.length; i++)
            assertThat((double) v[probes[i]]).as("probe %d", probes[i]).isEqualTo(probeValues[i]);
    }
}
