package dev.qwen4j.model.qwen3vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvBlockPool;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.model.ModelRegistry;
import dev.qwen4j.model.MultimodalPrompt;
import dev.qwen4j.model.VisionEncoding;
import dev.qwen4j.model.VisualPatches;
import dev.qwen4j.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/** Every tiny-qwen3-vl golden: pixels, vision tower outputs, M-RoPE positions, logits, layers, greedy. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VlGoldenTest {
    private final JsonNode golden = Golden.cases("tiny-qwen3-vl.json");
    private final Qwen3VLModel model = (Qwen3VLModel) ModelRegistry.load(Golden.model("tiny-qwen3-vl"));
    private final double logitTol = golden.get("tolerances").get("logits_abs_f32_weights").asDouble();
    private final double visionTol = golden.get("tolerances").get("vision_embeds_abs").asDouble();
    private final double pixelTol = golden.get("tolerances").get("pixel_values_abs").asDouble();

    @AfterAll
    void close() {
        model.close();
    }

    @TestFactory
    Stream<DynamicTest> images() {
        List<DynamicTest> tests = new ArrayList<>();
        golden.get("images").properties().forEach(e -> {
            String name = e.getKey();
            JsonNode im = e.getValue();
            tests.add(DynamicTest.dynamicTest(name + " pixel values", () -> {
                VisualPatches in = GoldenPixels.load(im.get("resized_png").asText());
                assertThat(in.gridThw()).containsExactly(Golden.ints(im.get("image_grid_thw")));
                assertThat(in.patches()).isEqualTo(im.get("num_patches").asInt());
                checkSummary("pixel_values", in.pixelValues(), im.get("pixel_values"), pixelTol);
                assertThat(GoldenPixels.sha256F32le(in.pixelValues())).isEqualTo(im.get("pixel_values").get("sha256_f32le").asText());
            }));
            tests.add(DynamicTest.dynamicTest(name + " vision tower", () -> {
                VisualPatches in = GoldenPixels.load(im.get("resized_png").asText());
                VisionTower tower = model.visionTower();
                JsonNode v = im.get("vision");
                int hv = tower.config().hiddenSize();
                float[] patch = tower.patchEmbeddings(in.pixelValues(), in.patches());
                closeTo("patch_embed token 0", patch, 0, v.get("patch_embed_token0_first8"), visionTol);
                float[] pos = tower.positionEmbeddings(in.gridThw());
                closeTo("pos_embed token 0", pos, 0, v.get("pos_embed_token0_first8"), visionTol);
                closeTo("pos_embed last token", pos, (in.patches() - 1) * hv, v.get("pos_embed_last_token_first8"), visionTol);
                VisionEncoding enc = model.encode(in);
                assertThat(enc.tokens()).isEqualTo(im.get("num_image_tokens").asInt());
                checkSummary("image_embeds", enc.embeds(), v.get("image_embeds"), visionTol);
                assertThat(enc.deepstack().length).isEqualTo(v.get("deepstack_embeds").size());
                for (int k = 0; k < enc.deepstack().length; k++) {
                    checkSummary("deepstack_embeds[" + k + "]", enc.deepstack()[k], v.get("deepstack_embeds").get(k), visionTol);
                }
            }));
        });
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> cases() {
        List<DynamicTest> tests = new ArrayList<>();
        int[] probes = Golden.ints(golden.get("probe_ids"));
        for (JsonNode c : golden.get("cases")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name + " positions", () -> {
                int[] ids = Golden.ints(c.get("input_ids"));
                List<int[]> grids = new ArrayList<>();
                for (JsonNode g : c.get("image_grid_thw")) grids.add(Golden.ints(g));
                RopeIndex r = RopeIndex.compute(ids, grids, List.of(), 2, model.imageTokenId(), model.videoTokenId());
                for (int a = 0; a < 3; a++) assertThat(r.positions()[a]).as("axis %d", a).containsExactly(Golden.ints(c.get("position_ids").get(a)));
                assertThat(r.ropeDelta()).isEqualTo(c.get("rope_delta").asInt());
            }));
            tests.add(DynamicTest.dynamicTest(name + " prefill logits and layers", () -> {
                MultimodalPrompt p = prepare(c);
                float[][] lastRows = new float[model.config().numLayers()][];
                model.setLayerObserver((layer, hidden, n) -> {
                    int hd = model.hiddenSize();
                    lastRows[layer] = java.util.Arrays.copyOfRange(hidden, (n - 1) * hd, n * hd);
                });
                float[] logits;
                try {
                    logits = VlRun.prefill(model, p, p.length()).logits();
                } finally {
                    model.setLayerObserver(null);
                }
                JsonNode layers = c.get("debug_last_position").get("layer_out_first8");
                for (int l = 0; l < layers.size(); l++) closeTo("layer " + l + " output", lastRows[l], 0, layers.get(l), logitTol);
                checkLogits(logits, c.get("last_logits"), probes, logitTol);
            }));
            tests.add(DynamicTest.dynamicTest(name + " greedy", () -> {
                MultimodalPrompt p = prepare(c);
                int[] expected = Golden.ints(c.get("greedy").get("tokens"));
                List<int[]> positions = new ArrayList<>();
                int[] got = VlRun.greedy(model, p, p.length(), expected.length, positions);
                assertThat(got).containsExactly(expected);
                JsonNode gp = c.get("greedy_position_ids");
                assertThat(positions).hasSize(gp.size());
                for (int i = 0; i < gp.size(); i++) assertThat(positions.get(i)).as("decode step %d", i).containsExactly(Golden.ints(gp.get(i)));
            }));
        }
        return tests.stream();
    }

    MultimodalPrompt prepare(JsonNode c) {
        List<VisualPatches> images = new ArrayList<>();
        for (JsonNode n : c.get("images")) images.add(GoldenPixels.load(golden.get("images").get(n.asText()).get("resized_png").asText()));
        return model.prepare(Golden.ints(c.get("input_ids")), images, List.of());
    }

    static void closeTo(String what, float[] got, int off, JsonNode expected, double tol) {
        for (int i = 0; i < expected.size(); i++) {
            assertThat((double) got[off + i]).as("%s [%d]", what, i).isCloseTo(expected.get(i).asDouble(), within(tol));
        }
    }

    /** Element checks at tol; the sums at tol per element they add up. */
    static void checkSummary(String what, float[] got, JsonNode s, double tol) {
        int n = 1;
        for (JsonNode d : s.get("shape")) n *= d.asInt();
        assertThat(got).as("%s length", what).hasSize(n);
        closeTo(what + " first", got, 0, s.get("first"), tol);
        int[] probe = Golden.ints(s.get("probe_flat_indices"));
        double[] probeValues = Golden.doubles(s.get("probe_values"));
        for (int i = 0; i < probe.length; i++) {
            assertThat((double) got[probe[i]]).as("%s [%d]", what, probe[i]).isCloseTo(probeValues[i], within(tol));
        }
        double sum = 0, abs = 0, sq = 0, weighted = 0, weights = 0;
        for (int i = 0; i < n; i++) {
            double v = got[i];
            sum += v;
            abs += Math.abs(v);
            sq += v * v;
            weighted += v * (i % 997 + 1);
            weights += i % 997 + 1;
        }
        assertThat(sum).as("%s sum", what).isCloseTo(s.get("sum").asDouble(), within(tol * n));
        assertThat(abs).as("%s abs_sum", what).isCloseTo(s.get("abs_sum").asDouble(), within(tol * n));
        assertThat(weighted).as("%s weighted_sum", what).isCloseTo(s.get("weighted_sum").asDouble(), within(tol * weights));
        double maxAbs = 0;
        for (float v : got) maxAbs = Math.max(maxAbs, Math.abs(v));
        assertThat(sq).as("%s sum_sq", what).isCloseTo(s.get("sum_sq").asDouble(), within(2 * tol * maxAbs * n + tol * tol * n));
    }

    static void checkLogits(float[] logits, JsonNode expected, int[] probes, double tol) {
        int[] topIds = Golden.ints(expected.get("top20_ids"));
        double[] topValues = Golden.doubles(expected.get("top20_values"));
        for (int i = 0; i < topIds.length; i++) {
            assertThat((double) logits[topIds[i]]).as("logit of top-%d id %d", i, topIds[i]).isCloseTo(topValues[i], within(tol));
        }
        double[] probeValues = Golden.doubles(expected.get("probe_values"));
        for (int i = 0; i < probes.length; i++) {
            assertThat((double) logits[probes[i]]).as("probe logit of id %d", probes[i]).isCloseTo(probeValues[i], within(tol));
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double sum = 0;
        for (float v : logits) sum += Math.exp(v - max);
        assertThat(max + Math.log(sum)).as("logsumexp").isCloseTo(expected.get("logsumexp").asDouble(), within(tol));
        assertThat(VlRun.argmax(logits)).as("argmax").isEqualTo(expected.get("argmax").asInt());
    }
}
