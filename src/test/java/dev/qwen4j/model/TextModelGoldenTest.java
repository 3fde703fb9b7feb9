package dev.qwen4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qwen4j.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/** Every tiny-qwen3 and tiny-qwen3-moe golden case: prefill logits and 16 greedy tokens. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TextModelGoldenTest {
    private final List<LanguageModel> opened = new ArrayList<>();

    @AfterAll
    void close() {
        opened.forEach(LanguageModel::close);
    }

    @TestFactory
    Stream<DynamicTest> tinyQwen3() {
        return cases("tiny-qwen3");
    }

    @TestFactory
    Stream<DynamicTest> tinyQwen3Moe() {
        return cases("tiny-qwen3-moe");
    }

    private Stream<DynamicTest> cases(String modelName) {
        JsonNode golden = Golden.cases(modelName + ".json");
        LanguageModel model = ModelRegistry.load(Golden.model(modelName));
        opened.add(model);
        double tol = golden.get("tolerances").get("logits_abs_f32_weights").asDouble();
        int[] probes = Golden.ints(golden.get("probe_ids"));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden.get("cases")) {
            int[] ids = Golden.ints(c.get("input_ids"));
            tests.add(DynamicTest.dynamicTest(modelName + "/" + c.get("name").asText() + " prefill logits", () -> {
                float[] logits = prefill(model, ids);
                checkLogits(logits, c.get("last_logits"), probes, tol);
            }));
            tests.add(DynamicTest.dynamicTest(modelName + "/" + c.get("name").asText() + " greedy", () -> {
                int[] expected = Golden.ints(c.get("greedy").get("tokens"));
                assertThat(greedy(model, ids, expected.length)).containsExactly(expected);
            }));
        }
        return tests.stream();
    }

    static float[] prefill(LanguageModel model, int[] ids) {
        KvBlockPool pool = model.newKvPool(16, 0);
        try (KvCache cache = new KvCache(pool, model.contextLength())) {
            ForwardBatch b = new ForwardBatch();
            b.addSequence(cache, ids, 0, ids.length, true);
            return model.forward(b);
        }
    }

    static int[] greedy(LanguageModel model, int[] prompt, int steps) {
        KvBlockPool pool = model.newKvPool(16, 0);
        try (KvCache cache = new KvCache(pool, model.contextLength())) {
            ForwardBatch b = new ForwardBatch();
            b.addSequence(cache, prompt, 0, prompt.length, true);
            float[] logits = model.forward(b);
            int[] out = new int[steps];
            for (int s = 0; s < steps; s++) {
                out[s] = argmax(logits);
                b.clear();
                b.add(cache, out[s], cache.length(), true);
                if (s + 1 < steps) logits = model.forward(b);
            }
            return out;
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
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
        assertThat(argmax(logits)).as("argmax").isEqualTo(expected.get("argmax").asInt());
    }
}
