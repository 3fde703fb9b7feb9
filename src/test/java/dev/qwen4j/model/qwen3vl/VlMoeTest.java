package dev.qwen4j.model.qwen3vl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.format.SafetensorsStore;
import dev.qwen4j.format.SafetensorsWriter;
import dev.qwen4j.format.TensorInfo;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.model.ModelRegistry;
import dev.qwen4j.model.MultimodalPrompt;
import dev.qwen4j.model.VisualPatches;
import dev.qwen4j.tensor.DType;
import dev.qwen4j.testing.Golden;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * qwen3_vl_moe: tiny-qwen3-moe's text weights re-packed in Qwen3-VL-MoE's layout (fused, input-major
 * experts under model.language_model.*, v5 `rope_parameters` config) plus a small random vision tower.
 * On text prompts M-RoPE degenerates to 1-D RoPE, so the tiny-qwen3-moe goldens must hold unchanged.
 */
class VlMoeTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void repackedMoeMatchesTheTextGoldens(@TempDir Path dir) throws Exception {
        writeModel(dir);
        JsonNode golden = Golden.cases("tiny-qwen3-moe.json");
        int[] probes = Golden.ints(golden.get("probe_ids"));
        try (Qwen3VLModel m = (Qwen3VLModel) ModelRegistry.load(dir)) {
            assertThat(m.config().modelType()).isEqualTo("qwen3_vl_moe_text");
            for (JsonNode c : golden.get("cases")) {
                int[] ids = Golden.ints(c.get("input_ids"));
                MultimodalPrompt p = m.prepare(ids, List.of(), List.of());
                VlRun.Prefilled r = VlRun.prefill(m, p, 5);
                r.cache().close();
                VlGoldenTest.checkLogits(r.logits(), c.get("last_logits"), probes, 1e-3);
                int[] expected = Golden.ints(c.get("greedy").get("tokens"));
                assertThat(VlRun.greedy(m, p, 64, expected.length, new ArrayList<>())).as(c.get("name").asText()).containsExactly(expected);
            }
            // and an image prompt runs through the random tower, chunked like one-shot
            Random rnd = new Random(5);
            float[] pixels = new float[16 * 1536];
            for (int i = 0; i < pixels.length; i++) pixels[i] = rnd.nextFloat() * 2 - 1;
            VisualPatches img = new VisualPatches(pixels, new int[] {1, 4, 4});
            int[] ids = {151644, 872, 198, 151652, 151655, 151655, 151655, 151655, 151653, 100, 151645, 198, 151644, 77091, 198};
            MultimodalPrompt p = m.prepare(ids, List.of(img), List.of());
            assertThat(p.ropeDelta()).isEqualTo(-2); // the spec's worked example (§4.3)
            VlRun.Prefilled whole = VlRun.prefill(m, p, ids.length), parts = VlRun.prefill(m, p, 6);
            whole.cache().close();
            parts.cache().close();
            for (int i = 0; i < whole.logits().length; i++) assertThat(parts.logits()[i]).isCloseTo(whole.logits()[i], within(1e-4f));
        }
    }

    private static void writeModel(Path dir) throws Exception {
        Path src = Golden.model("tiny-qwen3-moe");
        ObjectMapper json = new ObjectMapper();
        JsonNode textCfg = json.readTree(src.resolve("config.json").toFile());
        ObjectNode text = ((ObjectNode) textCfg).deepCopy();
        text.put("model_type", "qwen3_vl_moe_text");
        text.remove("rope_theta");
        text.remove("rope_scaling");
        ObjectNode rope = text.putObject("rope_parameters");
        rope.put("rope_type", "default");
        rope.put("rope_theta", textCfg.get("rope_theta").asDouble());
        rope.putArray("mrope_section").add(6).add(5).add(5);
        rope.put("mrope_interleaved", true);
        ObjectNode cfg = json.createObjectNode();
        cfg.put("model_type", "qwen3_vl_moe");
        cfg.set("text_config", text);
        ObjectNode vision = cfg.putObject("vision_config");
        vision.put("depth", 2);
        vision.put("hidden_size", 16);
        vision.put("num_heads", 2);
        vision.put("intermediate_size", 32);
        vision.put("out_hidden_size", 16);
        vision.put("num_position_embeddings", 16);
        vision.putArray("deepstack_visual_indexes").add(0);
        cfg.put("tie_word_embeddings", true);
        json.writeValue(dir.resolve("config.json").toFile(), cfg);

        int e = text.get("num_experts").asInt(), h = text.get("hidden_size").asInt(), im = text.get("moe_intermediate_size").asInt();
        SafetensorsWriter w = new SafetensorsWriter();
        try (TensorStore s = SafetensorsStore.open(src)) {
            for (TensorInfo t : s.all()) {
                String name = t.name();
                if (name.contains(".mlp.experts.")) continue;
                String renamed = name.replace("model.", "model.language_model.");
                w.add(renamed, DType.F32, t.shape(), seg -> MemorySegment.copy(t.data(), 0, seg, 0, t.data().byteSize()));
            }
            for (int l = 0; l < text.get("num_hidden_layers").asInt(); l++) {
                String p = "model.layers." + l + ".mlp.experts.";
                float[][][] gate = new float[e][][], up = new float[e][][], down = new float[e][][];
                for (int x = 0; x < e; x++) {
                    gate[x] = read(s, p + x + ".gate_proj.weight", im, h);
                    up[x] = read(s, p + x + ".up_proj.weight", im, h);
                    down[x] = read(s, p + x + ".down_proj.weight", h, im);
                }
                String q = "model.language_model.layers." + l + ".mlp.experts.";
                w.add(q + "gate_up_proj", DType.F32, new long[] {e, h, 2L * im}, seg -> {
                    for (int x = 0; x < e; x++) for (int k = 0; k < h; k++) for (int j = 0; j < 2 * im; j++) {
                        float v = j < im ? gate[x][j][k] : up[x][j - im][k];
                        seg.setAtIndex(F32, ((long) x * h + k) * 2 * im + j, v);
                    }
                });
                w.add(q + "down_proj", DType.F32, new long[] {e, im, h}, seg -> {
                    for (int x = 0; x < e; x++) for (int j = 0; j < im; j++) for (int k = 0; k < h; k++) {
                        seg.setAtIndex(F32, ((long) x * im + j) * h + k, down[x][k][j]);
                    }
                });
            }
            addVisionTower(w, 2, 16, 32, 16, 16, 1);
            w.write(dir.resolve("model.safetensors")); // the fills read the source store: write before closing it
        }
    }

    private static float[][] read(TensorStore s, String name, int rows, int cols) {
        var m = s.matrix(name, rows, cols);
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) out[r][c] = m.get(r, c);
        return out;
    }

    /** Random F32 vision weights (std 1/√fan_in, norms ≈ 1) under model.visual.*. */
    static void addVisionTower(SafetensorsWriter w, int depth, int hv, int inter, int out, int numPos, int deepstack) {
        long[] seed = {17};
        String v = "model.visual.";
        int merged = 4 * hv;
        rand(w, v + "patch_embed.proj.weight", new long[] {hv, 3, 2, 16, 16}, 1 / Math.sqrt(1536), 0, seed);
        rand(w, v + "patch_embed.proj.bias", new long[] {hv}, 0.1, 0, seed);
        rand(w, v + "pos_embed.weight", new long[] {numPos, hv}, 0.5, 0, seed);
        for (int b = 0; b < depth; b++) {
            String p = v + "blocks." + b + ".";
            rand(w, p + "norm1.weight", new long[] {hv}, 0.1, 1, seed);
            rand(w, p + "norm1.bias", new long[] {hv}, 0.1, 0, seed);
            rand(w, p + "norm2.weight", new long[] {hv}, 0.1, 1, seed);
            rand(w, p + "norm2.bias", new long[] {hv}, 0.1, 0, seed);
            linear(w, p + "attn.qkv", 3 * hv, hv, seed);
            linear(w, p + "attn.proj", hv, hv, seed);
            linear(w, p + "mlp.linear_fc1", inter, hv, seed);
            linear(w, p + "mlp.linear_fc2", hv, inter, seed);
        }
        rand(w, v + "merger.norm.weight", new long[] {hv}, 0.1, 1, seed);
        rand(w, v + "merger.norm.bias", new long[] {hv}, 0.1, 0, seed);
        linear(w, v + "merger.linear_fc1", merged, merged, seed);
        linear(w, v + "merger.linear_fc2", out, merged, seed);
        for (int k = 0; k < deepstack; k++) {
            String p = v + "deepstack_merger_list." + k + ".";
            rand(w, p + "norm.weight", new long[] {merged}, 0.1, 1, seed);
            rand(w, p + "norm.bias", new long[] {merged}, 0.1, 0, seed);
            linear(w, p + "linear_fc1", merged, merged, seed);
            linear(w, p + "linear_fc2", out, merged, seed);
        }
    }

    private static void linear(SafetensorsWriter w, String name, int rows, int cols, long[] seed) {
        rand(w, name + ".weight", new long[] {rows, cols}, 1 / Math.sqrt(cols), 0, seed);
        rand(w, name + ".bias", new long[] {rows}, 0.1, 0, seed);
    }

    private static void rand(SafetensorsWriter w, String name, long[] shape, double std, double mean, long[] seed) {
        long s = seed[0]++;
        w.add(name, DType.F32, shape, seg -> {
            Random r = new Random(s);
            for (long i = 0; i < seg.byteSize() / 4; i++) seg.setAtIndex(F32, i, (float) (mean + std * r.nextGaussian()));
        });
    }
}
