package dev.qwen4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qwen4j.model.VisualPatches;
import dev.qwen4j.model.qwen3vl.GoldenPixelsAccess;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.testing.Golden;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The runtime API on tiny-qwen3-vl: image prompts and text prompts through Generator match the goldens. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VisionGeneratorTest {
    private final JsonNode golden = Golden.cases("tiny-qwen3-vl.json");
    private final Qwen3Runtime rt = Qwen3Runtime.open(Golden.model("tiny-qwen3-vl"));

    @AfterAll
    void close() {
        rt.close();
    }

    private JsonNode goldenCase(String name) {
        for (JsonNode c : golden.get("cases")) if (c.get("name").asText().equals(name)) return c;
        throw new IllegalArgumentException(name);
    }

    private MultimodalInput input(String caseName) {
        JsonNode c = goldenCase(caseName);
        List<VisualPatches> images = new java.util.ArrayList<>();
        for (JsonNode n : c.get("images")) images.add(GoldenPixelsAccess.load(golden.get("images").get(n.asText()).get("resized_png").asText()));
        return MultimodalInput.images(Golden.ints(c.get("input_ids")), images);
    }

    private static SamplingParams greedy(int n) {
        return SamplingParams.greedy().withMaxTokens(n).withIgnoreEos(true);
    }

    @Test
    void imagePromptGeneratesTheGoldenTokens() {
        assertThat(rt.acceptsImages()).isTrue();
        for (String name : List.of("vl_image_gradient", "vl_image_checker")) {
            int[] expected = Golden.ints(goldenCase(name).get("greedy").get("tokens"));
            try (Generator g = rt.newGenerator()) {
                GenerationResult r = g.generate(input(name), greedy(expected.length), GenerationListener.NONE);
                assertThat(r.tokenIds()).as(name).containsExactly(expected);
                // the same conversation again: the prefix before the image is reused, the rest recomputed
                GenerationResult again = g.generate(input(name), greedy(expected.length), GenerationListener.NONE);
                assertThat(again.tokenIds()).as(name + " again").containsExactly(expected);
            }
        }
    }

    @Test
    void textAfterAnImageConversationStartsFresh() {
        JsonNode text = goldenCase("vl_text_only");
        int[] expected = Golden.ints(text.get("greedy").get("tokens"));
        try (Generator g = rt.newGenerator()) {
            g.generate(input("vl_image_shapes"), greedy(4), GenerationListener.NONE);
            GenerationResult r = g.generate(Golden.ints(text.get("input_ids")), greedy(expected.length), GenerationListener.NONE);
            assertThat(r.tokenIds()).containsExactly(expected);
        }
    }

    @Test
    void prefillLogitsMatchTheGolden() {
        JsonNode c = goldenCase("vl_image_shapes");
        try (Generator g = rt.newGenerator()) {
            float[] logits = g.prefill(input("vl_image_shapes"), GenerationListener.NONE);
            int[] ids = Golden.ints(c.get("last_logits").get("top20_ids"));
            double[] values = Golden.doubles(c.get("last_logits").get("top20_values"));
            for (int i = 0; i < ids.length; i++) assertThat((double) logits[ids[i]]).isCloseTo(values[i], within(1e-3));
        }
    }

    @Test
    void expandingOnePadPerImageGivesTheProcessorsIds() {
        MultimodalInput golden = input("vl_image_shapes");
        int pad = rt.visionModel().orElseThrow().imageTokenId();
        int[] collapsed = java.util.stream.IntStream.range(0, golden.ids().length)
                .filter(i -> golden.ids()[i] != pad || i == 0 || golden.ids()[i - 1] != pad)
                .map(i -> golden.ids()[i]).toArray();
        assertThat(collapsed.length).isLessThan(golden.ids().length);
        MultimodalInput expanded = MultimodalInput.expandImages(collapsed, golden.images(), rt.visionModel().orElseThrow());
        assertThat(expanded.ids()).containsExactly(golden.ids());
        assertThatThrownBy(() -> MultimodalInput.expandImages(collapsed, List.of(), rt.visionModel().orElseThrow()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 <|image_pad|> placeholders but 0 images");
    }

    @Test
    void textModelsRefuseImages() {
        try (Qwen3Runtime text = Qwen3Runtime.open(Golden.model("tiny-qwen3")); Generator g = text.newGenerator()) {
            assertThat(text.acceptsImages()).isFalse();
            assertThatThrownBy(() -> g.prefill(input("vl_image_shapes"), GenerationListener.NONE))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("text-only");
        }
    }
}
