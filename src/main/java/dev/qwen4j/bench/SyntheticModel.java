package dev.qwen4j.bench;

import dev.qwen4j.format.Json;
import dev.qwen4j.format.SafetensorsWriter;
import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.Parallel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Real-shaped Qwen3 models with random BF16 weights, written once to a cache folder and reused, so
 * speed can be measured without downloading weights. Shapes are those of the published checkpoints.
 */
public final class SyntheticModel {
    /** Published Qwen3 shapes (spec §7.1): layers, hidden, heads, kv heads, intermediate. */
    public record Shape(String name, int layers, int hidden, int heads, int kvHeads, int intermediate, boolean tied) {}

    public static final Map<String, Shape> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("qwen3-0.6b", new Shape("qwen3-0.6b", 28, 1024, 16, 8, 3072, true));
        SHAPES.put("qwen3-1.7b", new Shape("qwen3-1.7b", 28, 2048, 16, 8, 6144, true));
        SHAPES.put("qwen3-4b", new Shape("qwen3-4b", 36, 2560, 32, 8, 9728, true));
    }

    /** Published Qwen3-VL vision tower shapes (spec §3.1, §7.2). */
    public record VisionShape(String name, int depth, int hidden, int heads, int intermediate, int outHidden, int[] deepstack) {}

    public static final Map<String, VisionShape> VISION_SHAPES = new LinkedHashMap<>();

    static {
        VISION_SHAPES.put("qwen3-vl-2b", new VisionShape("qwen3-vl-2b", 24, 1024, 16, 4096, 2048, new int[] {5, 11, 17}));
        VISION_SHAPES.put("qwen3-vl-4b", new VisionShape("qwen3-vl-4b", 24, 1024, 16, 4096, 2560, new int[] {5, 11, 17}));
        VISION_SHAPES.put("qwen3-vl-8b", new VisionShape("qwen3-vl-8b", 27, 1152, 16, 4304, 4096, new int[] {8, 16, 24}));
    }

    private static final int VOCAB = 151936;
    private static final int HEAD_DIM = 128;

    private SyntheticModel() {}

    public static Path defaultCacheDir() {
        String home = System.getenv("QWEN4J_CACHE");
        if (home != null && !home.isBlank()) return Path.of(home).resolve("synthetic");
        return Path.of(System.getProperty("user.home"), ".cache", "qwen4j", "synthetic");
    }

    /** The model folder for name, written first if it is not complete yet. */
    public static Path ensure(String name, Path cacheDir) {
        Shape s = SHAPES.get(name.toLowerCase(Locale.ROOT));
        if (s == null) throw new IllegalArgumentException("unknown synthetic model '" + name + "' (known: " + SHAPES.keySet() + ")");
        Path dir = cacheDir.resolve(s.name());
        if (Files.isRegularFile(dir.resolve("model.safetensors")) && Files.isRegularFile(dir.resolve("config.json"))) return dir;
        write(s, dir);
        return dir;
    }

    /**
     * The folder of a synthetic Qwen3-VL vision tower (config.json with `vision_config`, and only the
     * `model.visual.*` tensors: the text side is the text shapes' business), written first if needed.
     */
    public static Path ensureVisionTower(String name, Path cacheDir) {
        VisionShape s = VISION_SHAPES.get(name.toLowerCase(Locale.ROOT));
        if (s == null) throw new IllegalArgumentException("unknown synthetic vision tower '" + name + "' (known: " + VISION_SHAPES.keySet() + ")");
        Path dir = cacheDir.resolve(s.name() + "-vision");
        if (Files.isRegularFile(dir.resolve("model.safetensors")) && Files.isRegularFile(dir.resolve("config.json"))) return dir;
        writeVisionTower(s, dir);
        return dir;
    }

    public static void writeVisionTower(VisionShape s, Path dir) {
        int hv = s.hidden(), in = s.intermediate(), merged = 4 * hv, patchDim = 3 * 2 * 16 * 16, numPos = 2304;
        try {
            Files.createDirectories(dir);
            Map<String, Object> vision = new LinkedHashMap<>();
            vision.put("depth", s.depth());
            vision.put("hidden_size", hv);
            vision.put("num_heads", s.heads());
            vision.put("intermediate_size", in);
            vision.put("hidden_act", "gelu_pytorch_tanh");
            vision.put("in_channels", 3);
            vision.put("patch_size", 16);
            vision.put("temporal_patch_size", 2);
            vision.put("spatial_merge_size", 2);
            vision.put("out_hidden_size", s.outHidden());
            vision.put("num_position_embeddings", numPos);
            vision.put("deepstack_visual_indexes", s.deepstack());
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("model_type", "qwen3_vl_vision_only");
            cfg.put("vision_config", vision);
            cfg.put("torch_dtype", "bfloat16");
            Files.writeString(dir.resolve("config.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafetensorsWriter w = new SafetensorsWriter();
        long seed = 4321;
        String v = "model.visual.";
        w.add(v + "patch_embed.proj.weight", DType.BF16, new long[] {hv, 3, 2, 16, 16}, random(seed++, inv(patchDim)));
        w.add(v + "patch_embed.proj.bias", DType.BF16, new long[] {hv}, random(seed++, 0.1f));
        w.add(v + "pos_embed.weight", DType.BF16, new long[] {numPos, hv}, random(seed++, 0.5f));
        for (int b = 0; b < s.depth(); b++) {
            String p = v + "blocks." + b + ".";
            w.add(p + "norm1.weight", DType.BF16, new long[] {hv}, around1(seed++));
            w.add(p + "norm1.bias", DType.BF16, new long[] {hv}, random(seed++, 0.1f));
            w.add(p + "norm2.weight", DType.BF16, new long[] {hv}, around1(seed++));
            w.add(p + "norm2.bias", DType.BF16, new long[] {hv}, random(seed++, 0.1f));
            seed = linear(w, p + "attn.qkv", 3 * hv, hv, seed);
            seed = linear(w, p + "attn.proj", hv, hv, seed);
            seed = linear(w, p + "mlp.linear_fc1", in, hv, seed);
            seed = linear(w, p + "mlp.linear_fc2", hv, in, seed);
        }
        w.add(v + "merger.norm.weight", DType.BF16, new long[] {hv}, around1(seed++));
        w.add(v + "merger.norm.bias", DType.BF16, new long[] {hv}, random(seed++, 0.1f));
        seed = linear(w, v + "merger.linear_fc1", merged, merged, seed);
        seed = linear(w, v + "merger.linear_fc2", s.outHidden(), merged, seed);
        for (int k = 0; k < s.deepstack().length; k++) {
            String p = v + "deepstack_merger_list." + k + ".";
            w.add(p + "norm.weight", DType.BF16, new long[] {merged}, around1(seed++));
            w.add(p + "norm.bias", DType.BF16, new long[] {merged}, random(seed++, 0.1f));
            seed = linear(w, p + "linear_fc1", merged, merged, seed);
            seed = linear(w, p + "linear_fc2", s.outHidden(), merged, seed);
        }
        w.write(dir.resolve("model.safetensors"));
    }

    /** nn.Linear weight and bias; returns the next seed. */
    private static long linear(SafetensorsWriter w, String name, int rows, int cols, long seed) {
        w.add(name + ".weight", DType.BF16, new long[] {rows, cols}, random(seed++, inv(cols)));
        w.add(name + ".bias", DType.BF16, new long[] {rows}, random(seed++, 0.1f));
        return seed;
    }

    public static void write(Shape s, Path dir) {
        try {
            Files.createDirectories(dir);
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("architectures", java.util.List.of("Qwen3ForCausalLM"));
            cfg.put("model_type", "qwen3");
            cfg.put("vocab_size", VOCAB);
            cfg.put("hidden_size", s.hidden());
            cfg.put("intermediate_size", s.intermediate());
            cfg.put("num_hidden_layers", s.layers());
            cfg.put("num_attention_heads", s.heads());
            cfg.put("num_key_value_heads", s.kvHeads());
            cfg.put("head_dim", HEAD_DIM);
            cfg.put("rms_norm_eps", 1e-6);
            cfg.put("rope_theta", 1000000);
            cfg.put("max_position_embeddings", 40960);
            cfg.put("tie_word_embeddings", s.tied());
            cfg.put("torch_dtype", "bfloat16");
            Files.writeString(dir.resolve("config.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(cfg));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int h = s.hidden(), q = s.heads() * HEAD_DIM, kv = s.kvHeads() * HEAD_DIM, in = s.intermediate();
        SafetensorsWriter w = new SafetensorsWriter();
        long seed = 1234;
        w.add("model.embed_tokens.weight", DType.BF16, new long[] {VOCAB, h}, random(seed++, 0.25f));
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            w.add(p + "input_layernorm.weight", DType.BF16, new long[] {h}, around1(seed++));
            w.add(p + "post_attention_layernorm.weight", DType.BF16, new long[] {h}, around1(seed++));
            w.add(p + "self_attn.q_proj.weight", DType.BF16, new long[] {q, h}, random(seed++, inv(h)));
            w.add(p + "self_attn.k_proj.weight", DType.BF16, new long[] {kv, h}, random(seed++, inv(h)));
            w.add(p + "self_attn.v_proj.weight", DType.BF16, new long[] {kv, h}, random(seed++, inv(h)));
            w.add(p + "self_attn.o_proj.weight", DType.BF16, new long[] {h, q}, random(seed++, inv(q)));
            w.add(p + "self_attn.q_norm.weight", DType.BF16, new long[] {HEAD_DIM}, around1(seed++));
            w.add(p + "self_attn.k_norm.weight", DType.BF16, new long[] {HEAD_DIM}, around1(seed++));
            w.add(p + "mlp.gate_proj.weight", DType.BF16, new long[] {in, h}, random(seed++, inv(h)));
            w.add(p + "mlp.up_proj.weight", DType.BF16, new long[] {in, h}, random(seed++, inv(h)));
            w.add(p + "mlp.down_proj.weight", DType.BF16, new long[] {h, in}, random(seed++, inv(in)));
        }
        w.add("model.norm.weight", DType.BF16, new long[] {h}, around1(seed++));
        if (!s.tied()) w.add("lm_head.weight", DType.BF16, new long[] {VOCAB, h}, random(seed, inv(h)));
        w.write(dir.resolve("model.safetensors"));
    }

    private static float inv(int fanIn) {
        return (float) (1.0 / Math.sqrt(fanIn));
    }

    /** Uniform values with the given standard deviation, rounded to bf16, filled on all threads. */
    private static java.util.function.Consumer<MemorySegment> random(long seed, float std) {
        return seg -> {
            long n = seg.byteSize() / 2;
            float a = std * (float) Math.sqrt(3);
            int chunks = (int) Math.min(4096, Math.max(1, n / 65536));
            var layout = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            Parallel.forRange(chunks, 1, (from, to) -> {
                for (int c = from; c < to; c++) {
                    SplittableRandom r = new SplittableRandom(seed * 7919 + c);
                    long lo = n * c / chunks, hi = n * (c + 1) / chunks;
                    for (long i = lo; i < hi; i++) {
                        float v = (float) ((r.nextDouble() * 2 - 1) * a);
                        seg.setAtIndex(layout, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                    }
                }
            });
        };
    }

    private static java.util.function.Consumer<MemorySegment> around1(long seed) {
        return seg -> {
            SplittableRandom r = new SplittableRandom(seed);
            var layout = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < seg.byteSize() / 2; i++) {
                float v = 1f + (float) (r.nextDouble() * 0.2 - 0.1);
                seg.setAtIndex(layout, i, (short) (Float.floatToRawIntBits(v) >>> 16));
            }
        };
    }
}
