package dev.qwen4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.format.gguf.GgufConverter;
import dev.qwen4j.format.gguf.GgufFile;
import dev.qwen4j.format.gguf.GgufTensor;
import dev.qwen4j.format.gguf.GgufTokenizer;
import dev.qwen4j.format.quant.QuantType;
import dev.qwen4j.tensor.DType;
import dev.qwen4j.testing.Golden;
import dev.qwen4j.tokenizer.Tokenizer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny golden models written as GGUF by {@link GgufConverter} and loaded back: float files must pass
 * the golden cases; quantized files must stay within stated KL-divergence / top-1 bounds of the
 * unquantized model, and loading with in-memory quantization must give the same logits as the file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GgufModelTest {
    @TempDir
    Path tmp;

    /** Models stay open for the whole class: each GGUF open parses ~300k tokenizer strings. */
    private final Map<String, LanguageModel> opened = new java.util.HashMap<>();

    @AfterAll
    void close() {
        opened.values().forEach(LanguageModel::close);
    }

    private Path gguf(String model, QuantType type) {
        Path out = tmp.resolve(model + "-" + type.name().toLowerCase(Locale.ROOT) + ".gguf");
        if (!Files.exists(out)) GgufConverter.convert(Golden.model(model), type, out, null);
        return out;
    }

    private LanguageModel open(Path p, QuantType quantize) {
        return opened.computeIfAbsent(p + "|" + quantize, k -> ModelRegistry.load(p, quantize));
    }

    @TestFactory
    Stream<DynamicTest> floatGgufPassesGoldenCases() {
        List<DynamicTest> tests = new ArrayList<>();
        String[][] runs = {{"tiny-qwen3", "F32"}, {"tiny-qwen3", "BF16"}, {"tiny-qwen3-moe", "F32"}};
        for (String[] r : runs) {
            String model = r[0];
            QuantType type = QuantType.valueOf(r[1]);
            JsonNode golden = Golden.cases(model + ".json");
            double tol = golden.get("tolerances").get("logits_abs_f32_weights").asDouble();
            int[] probes = Golden.ints(golden.get("probe_ids"));
            for (JsonNode c : golden.get("cases")) {
                int[] ids = Golden.ints(c.get("input_ids"));
                String name = model + " " + type + " gguf/" + c.get("name").asText();
                tests.add(DynamicTest.dynamicTest(name + " prefill logits", () -> {
                    LanguageModel m = open(gguf(model, type), null);
                    TextModelGoldenTest.checkLogits(TextModelGoldenTest.prefill(m, ids), c.get("last_logits"), probes, tol);
                }));
                tests.add(DynamicTest.dynamicTest(name + " greedy", () -> {
                    LanguageModel m = open(gguf(model, type), null);
                    int[] expected = Golden.ints(c.get("greedy").get("tokens"));
                    assertThat(TextModelGoldenTest.greedy(m, ids, expected.length)).containsExactly(expected);
                }));
            }
        }
        return tests.stream();
    }

    /**
     * Mean KL(unquantized ‖ quantized) of the last-position distribution over the golden prompts, and
     * top-1 agreement. The KL bounds are about 3× what was measured when they were set (printed below).
     */
    @TestFactory
    Stream<DynamicTest> quantizedStaysCloseToUnquantized() {
        // {max mean KL, min top-1 agreement}. The tiny models have random weights and logits of ±15, so small
        // weight errors move the distribution a lot; the MoE reference has a near-tie in one prompt. On the
        // tiny shapes (rows of 16..128 values) Q4_K falls back to Q5_0 and Q6_K to Q8_0, as in llama.cpp.
        Map<String, double[]> bounds = Map.of(
                "tiny-qwen3 Q8_0", new double[] {0.015, 1.0},
                "tiny-qwen3 Q4_0", new double[] {2.5, 0.75},
                "tiny-qwen3 Q4_K_M", new double[] {1.5, 0.5},
                "tiny-qwen3-moe Q8_0", new double[] {5e-4, 0.75},
                "tiny-qwen3-moe Q4_0", new double[] {0.04, 0.5},
                "tiny-qwen3-moe Q4_K_M", new double[] {0.015, 0.75});
        List<DynamicTest> tests = new ArrayList<>();
        for (String model : List.of("tiny-qwen3", "tiny-qwen3-moe")) {
            for (QuantType type : List.of(QuantType.Q8_0, QuantType.Q4_0, QuantType.Q4_K_M)) {
                tests.add(DynamicTest.dynamicTest(model + " " + type, () -> {
                    LanguageModel ref = open(Golden.model(model), null);
                    LanguageModel q = open(gguf(model, type), null);
                    double kl = 0;
                    int agree = 0, n = 0;
                    for (JsonNode c : Golden.cases(model + ".json").get("cases")) {
                        int[] ids = Golden.ints(c.get("input_ids"));
                        float[] p = TextModelGoldenTest.prefill(ref, ids), r = TextModelGoldenTest.prefill(q, ids);
                        kl += klDivergence(p, r);
                        if (TextModelGoldenTest.argmax(p) == TextModelGoldenTest.argmax(r)) agree++;
                        n++;
                    }
                    double meanKl = kl / n, top1 = agree / (double) n;
                    System.out.printf(Locale.ROOT, "GGUF %s %s: mean KL %.3g, top-1 agreement %d/%d%n", model, type, meanKl, agree, n);
                    double[] b = bounds.get(model + " " + type);
                    assertThat(meanKl).as("mean KL").isLessThan(b[0]);
                    assertThat(top1).as("top-1 agreement").isGreaterThanOrEqualTo(b[1]);
                }));
            }
        }
        return tests.stream();
    }

    static double klDivergence(float[] p, float[] q) {
        double[] lp = logSoftmax(p), lq = logSoftmax(q);
        double kl = 0;
        for (int i = 0; i < p.length; i++) kl += Math.exp(lp[i]) * (lp[i] - lq[i]);
        return kl;
    }

    private static double[] logSoftmax(float[] v) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float x : v) max = Math.max(max, x);
        for (float x : v) sum += Math.exp(x - max);
        double lse = max + Math.log(sum);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] - lse;
        return out;
    }

    @Test
    void inMemoryQuantizationMatchesTheQuantizedFile() {
        int[] ids = Golden.ints(Golden.cases("tiny-qwen3.json").get("cases").get(0).get("input_ids"));
        for (QuantType type : List.of(QuantType.Q8_0, QuantType.Q4_0, QuantType.Q4_K_M, QuantType.BF16)) {
            float[] file = TextModelGoldenTest.prefill(open(gguf("tiny-qwen3", type), null), ids);
            float[] memory = TextModelGoldenTest.prefill(open(Golden.model("tiny-qwen3"), type), ids);
            // same weights; only the Vector API's lane-reduction order may differ between JIT tiers
            for (int i = 0; i < file.length; i++) {
                assertThat(memory[i]).as("%s logit %d", type, i).isCloseTo(file[i], within(1e-4f));
            }
        }
    }

    @Test
    void interleavedDecodeCopiesAreMadeUpFrontAndCounted() {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.qwen4j.tensor.quant.InterleavedRows.supports(dev.qwen4j.tensor.DType.Q4_0));
        LanguageModel m = open(gguf("tiny-qwen3", QuantType.Q4_0), null);
        long blocks = m.weightBytesPerToken();
        long copies = m.interleaveForDecode();
        assertThat(copies).isPositive();
        assertThat(m.interleaveForDecode()).as("made once").isEqualTo(copies);
        // decode now reads the copies (and the blocks of matrices in other formats)
        assertThat(m.weightBytesPerToken()).isGreaterThanOrEqualTo(copies).isNotEqualTo(blocks);
        assertThat(open(gguf("tiny-qwen3", QuantType.Q8_0), null).interleaveForDecode()).isZero();
    }

    @Test
    void q4KMUsesLlamaCppMix() {
        try (Arena arena = Arena.ofConfined()) {
            GgufFile f = GgufFile.open(gguf("tiny-qwen3", QuantType.Q4_K_M), arena);
            Map<String, DType> types = new java.util.HashMap<>();
            for (GgufTensor t : f.tensors()) types.put(t.name(), t.dtype());
            // rows of 32 / 96 / 128 values cannot hold 256-value k-quant blocks: llama.cpp falls back
            // (Q4_K → Q5_0, Q6_K → Q8_0)
            assertThat(types.get("blk.0.attn_q.weight")).isEqualTo(DType.Q5_0);
            assertThat(types.get("output.weight")).isEqualTo(DType.Q8_0);
            assertThat(types.get("blk.0.attn_norm.weight")).isEqualTo(DType.F32);
            assertThat(f.meta().requireInt("general.file_type")).isEqualTo(15);
            assertThat(f.meta().requireInt("general.quantization_version")).isEqualTo(2);
            assertThat(f.meta().requireString("general.architecture")).isEqualTo("qwen3");
            assertThat(f.meta().requireInt("qwen3.block_count")).isEqualTo(2);
        }
        try (Arena arena = Arena.ofConfined()) {
            GgufFile f = GgufFile.open(gguf("tiny-qwen3-moe", QuantType.Q8_0), arena);
            GgufTensor exps = f.tensors().stream().filter(t -> t.name().equals("blk.1.ffn_down_exps.weight")).findFirst().orElseThrow();
            assertThat(exps.ne()).containsExactly(32, 16, 4); // [moe_intermediate, hidden, experts]
            assertThat(exps.dtype()).isEqualTo(DType.Q8_0);
            assertThat(f.tensors()).noneMatch(t -> t.name().equals("output.weight")); // tied
            assertThat(f.meta().requireInt("qwen3moe.expert_count")).isEqualTo(4);
        }
    }

    /** general.sampling.* carries generation_config.json's recommended sampling, so the file samples like its folder. */
    @Test
    void samplingDefaultsTravelThroughTheFile() throws IOException {
        Path model = Golden.model("tiny-qwen3");
        dev.qwen4j.runtime.sampling.SamplingParams folder = dev.qwen4j.runtime.sampling.SamplingParams.fromGenerationConfig(
                model.resolve("generation_config.json"));
        try (dev.qwen4j.api.Qwen3Runtime rt = dev.qwen4j.api.Qwen3Runtime.open(gguf("tiny-qwen3", QuantType.Q8_0))) {
            var d = rt.generationDefaults();
            assertThat(d.temperature()).isEqualTo(0.6f).isEqualTo(folder.temperature());
            assertThat(d.topK()).isEqualTo(20).isEqualTo(folder.topK());
            assertThat(d.topP()).isEqualTo(0.95f).isEqualTo(folder.topP());
            assertThat(d.minP()).isEqualTo(folder.minP());
            assertThat(d.repetitionPenalty()).isEqualTo(folder.repetitionPenalty());
        }
        // a folder that decodes greedily writes no keys, and a file without keys decodes greedily
        Path greedyDir = tmp.resolve("greedy-model");
        Files.createDirectories(greedyDir);
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("generation_config.json")) Files.copy(f, greedyDir.resolve(f.getFileName()));
            }
        }
        Files.writeString(greedyDir.resolve("generation_config.json"), "{\"do_sample\": false, \"temperature\": 0.6}");
        Path out = tmp.resolve("greedy.gguf");
        GgufConverter.convert(greedyDir, QuantType.Q8_0, out, null);
        try (Arena arena = Arena.ofConfined()) {
            GgufFile f = GgufFile.open(out, arena);
            assertThat(f.metadata().keySet()).noneMatch(k -> k.startsWith("general.sampling."));
        }
        try (dev.qwen4j.api.Qwen3Runtime rt = dev.qwen4j.api.Qwen3Runtime.open(out)) {
            assertThat(rt.generationDefaults().isGreedy()).isTrue();
        }
    }

    @Test
    void tokenizerAndTemplateFromGgufMatchTheFolder() {
        Path model = Golden.model("tiny-qwen3");
        Tokenizer hf = Tokenizer.fromModelDir(model);
        try (Arena arena = Arena.ofConfined()) {
            GgufFile f = GgufFile.open(gguf("tiny-qwen3", QuantType.BF16), arena);
            Tokenizer g = GgufTokenizer.read(f);
            for (String s : List.of("Hello, world! 12345", "<|im_start|>user\nhi<|im_end|>\n<think>\n\n</think>", "  ünïcødé\t\ttabs 🙂",
                    "def f(x):\n    return x**2  # comment")) {
                assertThat(g.encode(s)).as(s).containsExactly(hf.encode(s));
                assertThat(g.decode(g.encode(s))).isEqualTo(s);
            }
            assertThat(g.eosTokenId()).isEqualTo(hf.eosTokenId());
            assertThat(GgufTokenizer.chatTemplate(f).source()).isEqualTo(dev.qwen4j.template.ChatTemplate.fromModelDir(model).source());
            // token types as llama.cpp's converter writes them (else llama.cpp warns "control-looking token ...
            // was not control-type"): added tokens spelled <|...|> are control even when not marked special
            int[] types = f.meta().requireInts(GgufTokenizer.TYPES);
            assertThat(types[9707]).as("Hello").isEqualTo(1);
            assertThat(types[151645]).as("<|im_end|>").isEqualTo(3);
            assertThat(types[151659]).as("<|fim_prefix|>, special=false").isEqualTo(3);
            assertThat(types[151664]).as("<|file_sep|>, special=false").isEqualTo(3);
            assertThat(types[151667]).as("<think>, special=false").isEqualTo(4);
            assertThat(types[151935]).as("padding").isEqualTo(5);
        }
        try (Qwen3Runtime rt = Qwen3Runtime.open(gguf("tiny-qwen3", QuantType.BF16))) {
            assertThat(rt.modelType()).isEqualTo("qwen3");
            assertThat(rt.eosTokenIds()).contains(151645);
            List<Map<String, Object>> msgs = List.of(Map.of("role", "user", "content", "Hi"));
            assertThat(rt.requireChatTemplate().render(msgs, null, Map.of("add_generation_prompt", true)))
                    .startsWith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        }
    }

    @Test
    void weightsOnlyFileNamesNoVocabularyTheWayLlamaCppRequires() throws IOException {
        // llama.cpp refuses a file without tokenizer.ggml.model ("key not found in model"); "none" is its
        // vocabulary-less type, whose size it then takes from <arch>.vocab_size
        Path dir = Files.createDirectories(tmp.resolve("weights-only"));
        for (String f : List.of("config.json", "model.safetensors")) Files.copy(Golden.model("tiny-qwen3").resolve(f), dir.resolve(f));
        Path out = tmp.resolve("weights-only.gguf");
        GgufConverter.convert(dir, QuantType.Q8_0, out, null);
        try (Arena arena = Arena.ofConfined()) {
            GgufFile f = GgufFile.open(out, arena);
            assertThat(f.meta().requireString(GgufTokenizer.MODEL)).isEqualTo("none");
            assertThat(f.meta().requireInt("qwen3.vocab_size")).isEqualTo(151936);
            assertThat(f.meta().has(GgufTokenizer.TOKENS)).isFalse();
            assertThatThrownBy(() -> GgufTokenizer.read(f)).isInstanceOf(ModelFormatException.class).hasMessageContaining("no tokenizer");
        }
        try (LanguageModel m = ModelRegistry.load(out)) {
            assertThat(m.vocabSize()).isEqualTo(151936);
        }
    }

    @Test
    void truncatedModelFileIsAClearError() throws IOException {
        Path full = gguf("tiny-qwen3", QuantType.Q8_0);
        byte[] bytes = Files.readAllBytes(full);
        Path cut = tmp.resolve("cut.gguf");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 4096));
        assertThatThrownBy(() -> ModelRegistry.load(cut)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(cut.toString()).hasMessageContaining("truncated");
    }
}
