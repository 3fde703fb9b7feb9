package dev.qwen4j.model.qwen3vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.model.ContextOverflowException;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.model.LanguageModel;
import dev.qwen4j.model.ModelRegistry;
import dev.qwen4j.model.MultimodalPrompt;
import dev.qwen4j.model.VisionEncoding;
import dev.qwen4j.model.VisualPatches;
import dev.qwen4j.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Invariants the goldens do not pin down: chunking, caching, multi-item encoding, videos, errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VlConsistencyTest {
    private final JsonNode golden = Golden.cases("tiny-qwen3-vl.json");
    private final Qwen3VLModel model = (Qwen3VLModel) ModelRegistry.load(Golden.model("tiny-qwen3-vl"));

    @AfterAll
    void close() {
        model.close();
    }

    private JsonNode goldenCase(String name) {
        for (JsonNode c : golden.get("cases")) if (c.get("name").asText().equals(name)) return c;
        throw new IllegalArgumentException(name);
    }

    private VisualPatches image(String name) {
        return GoldenPixels.load(golden.get("images").get(name).get("resized_png").asText());
    }

    private MultimodalPrompt gradientPrompt() {
        return model.prepare(Golden.ints(goldenCase("vl_image_gradient").get("input_ids")), List.of(image("gradient_100x60")), List.of());
    }

    @Test
    void chunkedPrefillEqualsOneShot() {
        MultimodalPrompt p = gradientPrompt();
        int firstPad = 0;
        while (!p.isVisual(firstPad)) firstPad++;
        VlRun.Prefilled whole = VlRun.prefill(model, p, p.length());
        whole.cache().close();
        float[] oneShot = whole.logits();
        // 7 and 13 put boundaries inside the 77 image tokens; 1 is token-by-token prefill
        for (int chunk : new int[] {1, 7, 13, firstPad + 3}) {
            VlRun.Prefilled r = VlRun.prefill(model, p, chunk);
            r.cache().close();
            for (int i = 0; i < oneShot.length; i++) {
                assertThat(r.logits()[i]).as("chunk %d, logit %d", chunk, i).isCloseTo(oneShot[i], within(1e-4f));
            }
        }
        int[] expected = Golden.ints(goldenCase("vl_image_gradient").get("greedy").get("tokens"));
        assertThat(VlRun.greedy(model, p, 7, expected.length, new ArrayList<>())).containsExactly(expected);
    }

    @Test
    void cachedDecodeEqualsRecompute() {
        VisualPatches img = image("shapes_257x181");
        int[] ids = Golden.ints(goldenCase("vl_image_shapes").get("input_ids"));
        MultimodalPrompt p = model.prepare(ids, List.of(img), List.of());
        int steps = 5;
        int[] generated = VlRun.greedy(model, p, 16, steps, new ArrayList<>());
        // the logits that chose generated[steps-1], from a cache, against a fresh prefill of everything before it
        int[] extended = Arrays.copyOf(ids, ids.length + steps - 1);
        System.arraycopy(generated, 0, extended, ids.length, steps - 1);
        MultimodalPrompt full = model.prepare(extended, List.of(img), List.of());
        assertThat(full.ropeDelta()).isEqualTo(p.ropeDelta());
        VlRun.Prefilled recomputed = VlRun.prefill(model, full, 32); // chunks of 32: also crosses the image
        recomputed.cache().close();
        assertThat(VlRun.argmax(recomputed.logits())).isEqualTo(generated[steps - 1]);
        float[] cachedLogits = decodeLogits(p, generated, steps - 1);
        for (int i = 0; i < cachedLogits.length; i++) {
            assertThat(cachedLogits[i]).as("logit %d", i).isCloseTo(recomputed.logits()[i], within(1e-4f));
        }
    }

    /** Logits after feeding back the first k generated tokens through the cache. */
    private float[] decodeLogits(MultimodalPrompt p, int[] generated, int k) {
        VlRun.Prefilled pre = VlRun.prefill(model, p, p.length());
        try (KvCache cache = pre.cache()) {
            float[] logits = pre.logits();
            var b = new dev.qwen4j.model.ForwardBatch();
            for (int s = 0; s < k; s++) {
                b.clear();
                int slot = cache.length();
                int pos = MultimodalPrompt.decodePosition(slot, p.ropeDelta());
                b.add(cache, generated[s], slot, true, pos, pos, pos);
                logits = model.forward(b);
            }
            return logits;
        }
    }

    /** Two image prompts and a text prompt in one step (continuous batching), then one decode step each. */
    @Test
    void sequencesShareAStep() {
        MultimodalPrompt a = gradientPrompt();
        MultimodalPrompt b = model.prepare(Golden.ints(goldenCase("vl_image_checker").get("input_ids")), List.of(image("checker_32x32")), List.of());
        int[] text = Golden.ints(goldenCase("vl_text_only").get("input_ids"));
        var pool = model.newKvPool(16, 0);
        try (KvCache ca = new KvCache(pool, model.contextLength()); KvCache cb = new KvCache(pool, model.contextLength());
             KvCache ct = new KvCache(pool, model.contextLength())) {
            var batch = new dev.qwen4j.model.ForwardBatch();
            a.addChunk(batch, ca, 0, a.length(), true);
            batch.addSequence(ct, text, 0, text.length, true); // plain rows after M-RoPE rows
            b.addChunk(batch, cb, 0, b.length(), true);
            float[] logits = model.forward(batch);
            int v = model.vocabSize();
            float[][] alone = {soloLogits(a), soloText(text), soloLogits(b)};
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < v; i++) assertThat(logits[s * v + i]).as("sequence %d logit %d", s, i).isCloseTo(alone[s][i], within(1e-4f));
            }
            // one decode step each, in one batch: the image sequences at their own M-RoPE offsets
            int[] next = {VlRun.argmax(alone[0]), VlRun.argmax(alone[1]), VlRun.argmax(alone[2])};
            batch.clear();
            batch.add(ca, next[0], ca.length(), true, ca.length() + a.ropeDelta(), ca.length() + a.ropeDelta(), ca.length() + a.ropeDelta());
            batch.add(ct, next[1], ct.length(), true);
            batch.add(cb, next[2], cb.length(), true, cb.length() + b.ropeDelta(), cb.length() + b.ropeDelta(), cb.length() + b.ropeDelta());
            float[] step = model.forward(batch);
            assertThat(VlRun.argmax(java.util.Arrays.copyOfRange(step, 0, v))).isEqualTo(Golden.ints(goldenCase("vl_image_gradient").get("greedy").get("tokens"))[1]);
            assertThat(VlRun.argmax(java.util.Arrays.copyOfRange(step, v, 2 * v))).isEqualTo(Golden.ints(goldenCase("vl_text_only").get("greedy").get("tokens"))[1]);
            assertThat(VlRun.argmax(java.util.Arrays.copyOfRange(step, 2 * v, 3 * v))).isEqualTo(Golden.ints(goldenCase("vl_image_checker").get("greedy").get("tokens"))[1]);
        }
    }

    private float[] soloLogits(MultimodalPrompt p) {
        VlRun.Prefilled r = VlRun.prefill(model, p, p.length());
        r.cache().close();
        return r.logits();
    }

    private float[] soloText(int[] ids) {
        var pool = model.newKvPool(16, 0);
        try (KvCache c = new KvCache(pool, model.contextLength())) {
            var b = new dev.qwen4j.model.ForwardBatch();
            b.addSequence(c, ids, 0, ids.length, true);
            return model.forward(b);
        }
    }

    /** prepare() with two images equals a prompt assembled by hand from one encode per image, in order. */
    @Test
    void twoImagePromptTakesRowsInOrder() {
        VisualPatches a = image("checker_32x32"), b = image("gradient_100x60");
        int vs = model.visionStartTokenId(), ve = model.visionEndTokenId(), pad = model.imageTokenId();
        List<Integer> list = new ArrayList<>(List.of(151644, 872, 198, vs));
        for (int k = 0; k < model.tokensFor(a.gridThw()); k++) list.add(pad);
        list.addAll(List.of(ve, 323, vs));
        for (int k = 0; k < model.tokensFor(b.gridThw()); k++) list.add(pad);
        list.addAll(List.of(ve, 151645, 198, 151644, 77091, 198));
        int[] ids = list.stream().mapToInt(Integer::intValue).toArray();
        MultimodalPrompt prepared = model.prepare(ids, List.of(a, b), List.of());

        VisionEncoding ea = model.encode(a), eb = model.encode(b);
        int hd = model.hiddenSize(), levels = ea.deepstack().length;
        float[] embeds = new float[(ea.tokens() + eb.tokens()) * hd];
        float[][] ds = new float[levels][embeds.length];
        System.arraycopy(ea.embeds(), 0, embeds, 0, ea.embeds().length);
        System.arraycopy(eb.embeds(), 0, embeds, ea.embeds().length, eb.embeds().length);
        for (int l = 0; l < levels; l++) {
            System.arraycopy(ea.deepstack()[l], 0, ds[l], 0, ea.embeds().length);
            System.arraycopy(eb.deepstack()[l], 0, ds[l], ea.embeds().length, eb.embeds().length);
        }
        boolean[] visual = new boolean[ids.length];
        for (int i = 0; i < ids.length; i++) visual[i] = ids[i] == pad;
        RopeIndex rope = RopeIndex.compute(ids, List.of(a.gridThw(), b.gridThw()), List.of(), 2, pad, model.videoTokenId());
        MultimodalPrompt byHand = new MultimodalPrompt(ids, rope.positions(), rope.ropeDelta(), visual, hd, embeds, ds);

        float[] got = soloLogits(prepared), want = soloLogits(byHand);
        for (int i = 0; i < got.length; i++) assertThat(got[i]).as("logit %d", i).isCloseTo(want[i], within(1e-4f));
        // and the order matters: the same images the other way round give different logits
        MultimodalPrompt swapped = new MultimodalPrompt(ids, rope.positions(), rope.ropeDelta(), visual, hd,
                shiftRows(embeds, ea.embeds().length), ds);
        float[] other = soloLogits(swapped);
        double diff = 0;
        for (int i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(other[i] - got[i]));
        assertThat(diff).isGreaterThan(1e-2);
    }

    /** The rows rotated by `by` values: a wrong assignment of rows to pad tokens. */
    private static float[] shiftRows(float[] rows, int by) {
        float[] out = new float[rows.length];
        for (int i = 0; i < rows.length; i++) out[i] = rows[(i + by) % rows.length];
        return out;
    }

    @Test
    void severalImagesInOneCallEqualOneCallEach() {
        VisualPatches a = image("checker_32x32"), b = image("gradient_100x60");
        float[] pixels = new float[a.pixelValues().length + b.pixelValues().length];
        System.arraycopy(a.pixelValues(), 0, pixels, 0, a.pixelValues().length);
        System.arraycopy(b.pixelValues(), 0, pixels, a.pixelValues().length, b.pixelValues().length);
        int[] grids = {1, a.gridThw()[1], a.gridThw()[2], 1, b.gridThw()[1], b.gridThw()[2]};
        VisionEncoding joint = model.visionTower().encode(pixels, grids);
        VisionEncoding ea = model.encode(a), eb = model.encode(b);
        assertThat(joint.tokens()).isEqualTo(ea.tokens() + eb.tokens());
        assertConcat(joint.embeds(), ea.embeds(), eb.embeds());
        for (int k = 0; k < joint.deepstack().length; k++) assertConcat(joint.deepstack()[k], ea.deepstack()[k], eb.deepstack()[k]);
    }

    /** A 2-group video of the same frame pair twice: each temporal group is attended alone, so both halves equal the image's encoding. */
    @Test
    void videoTemporalGroupsAreEncodedSeparately() {
        VisualPatches img = image("checker_32x32");
        float[] pixels = new float[2 * img.pixelValues().length];
        System.arraycopy(img.pixelValues(), 0, pixels, 0, img.pixelValues().length);
        System.arraycopy(img.pixelValues(), 0, pixels, img.pixelValues().length, img.pixelValues().length);
        VisualPatches video = new VisualPatches(pixels, new int[] {2, img.gridThw()[1], img.gridThw()[2]});
        VisionEncoding v = model.encode(video), i = model.encode(img);
        assertConcat(v.embeds(), i.embeds(), i.embeds());
        for (int k = 0; k < v.deepstack().length; k++) assertConcat(v.deepstack()[k], i.deepstack()[k], i.deepstack()[k]);
    }

    private static void assertConcat(float[] joint, float[] first, float[] second) {
        assertThat(joint.length).isEqualTo(first.length + second.length);
        for (int j = 0; j < first.length; j++) assertThat(joint[j]).as("row value %d", j).isCloseTo(first[j], within(1e-5f));
        for (int j = 0; j < second.length; j++) assertThat(joint[first.length + j]).as("row value %d", first.length + j).isCloseTo(second[j], within(1e-5f));
    }

    @Test
    void videoPromptRunsAndUsesPerGroupPositions() {
        VisualPatches img = image("checker_32x32"); // grid (1, 16, 16): 64 tokens per group
        float[] pixels = new float[2 * img.pixelValues().length];
        System.arraycopy(img.pixelValues(), 0, pixels, 0, img.pixelValues().length);
        System.arraycopy(img.pixelValues(), 0, pixels, img.pixelValues().length, img.pixelValues().length);
        VisualPatches video = new VisualPatches(pixels, new int[] {2, 16, 16});
        int vs = model.visionStartTokenId(), ve = model.visionEndTokenId(), pad = model.videoTokenId();
        List<Integer> ids = new ArrayList<>(List.of(151644, 872, 198));
        for (int g = 0; g < 2; g++) {
            ids.addAll(List.of(27, 15, 13, 20, 6486, 29)); // "<0.5 seconds>"-like timestamp text
            ids.add(vs);
            for (int k = 0; k < 64; k++) ids.add(pad);
            ids.add(ve);
        }
        ids.addAll(List.of(151645, 198, 151644, 77091, 198));
        int[] arr = ids.stream().mapToInt(Integer::intValue).toArray();
        MultimodalPrompt p = model.prepare(arr, List.of(), List.of(video));
        // group 0 starts after 3 + 6 + 1 text tokens at position 10 and spans max(8, 8) positions
        int first = 10;
        assertThat(p.position(0, first)).isEqualTo(10);
        assertThat(p.position(1, first + 63)).isEqualTo(17);
        assertThat(p.position(0, first + 63)).isEqualTo(10);
        assertThat(p.position(0, first + 64)).isEqualTo(18); // vision_end
        int second = first + 64 + 1 + 6 + 1;
        assertThat(p.position(0, second)).as("the second group restarts T at its own start").isEqualTo(26);
        assertThat(p.ropeDelta()).isEqualTo(p.position(0, arr.length - 1) + 1 - arr.length);
        VlRun.Prefilled whole = VlRun.prefill(model, p, arr.length), parts = VlRun.prefill(model, p, 9);
        whole.cache().close();
        parts.cache().close();
        float[] oneShot = whole.logits(), chunked = parts.logits();
        for (int i = 0; i < oneShot.length; i++) assertThat(chunked[i]).isCloseTo(oneShot[i], within(1e-4f));
    }

    @Test
    void imageTokensBeyondTheContextFailClearly(@TempDir Path dir) throws Exception {
        Path src = Golden.model("tiny-qwen3-vl");
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(src.resolve("config.json").toFile());
        ((ObjectNode) cfg.get("text_config")).put("max_position_embeddings", 64);
        json.writeValue(dir.resolve("config.json").toFile(), cfg);
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        try (LanguageModel small = ModelRegistry.load(dir)) {
            Qwen3VLModel vl = (Qwen3VLModel) small;
            int[] ids = Golden.ints(goldenCase("vl_image_gradient").get("input_ids"));
            assertThatThrownBy(() -> vl.prepare(ids, List.of(image("gradient_100x60")), List.of()))
                    .isInstanceOf(ContextOverflowException.class)
                    .hasMessageContaining("91 tokens")
                    .hasMessageContaining("context length of 64")
                    .hasMessageContaining("77 visual tokens");
        }
    }

    @Test
    void padCountMismatchIsReported() {
        int[] ids = Golden.ints(goldenCase("vl_image_gradient").get("input_ids"));
        int firstPad = 0;
        while (ids[firstPad] != model.imageTokenId()) firstPad++;
        int[] fewer = new int[ids.length - 1];
        System.arraycopy(ids, 0, fewer, 0, firstPad);
        System.arraycopy(ids, firstPad + 1, fewer, firstPad, ids.length - firstPad - 1);
        assertThatThrownBy(() -> model.prepare(fewer, List.of(image("gradient_100x60")), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image 0 needs 77 consecutive pad tokens")
                .hasMessageContaining("has 76");
        assertThatThrownBy(() -> model.prepare(ids, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more image pad runs than the 0 images");
    }
}
