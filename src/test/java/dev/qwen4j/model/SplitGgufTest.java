package dev.qwen4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.format.gguf.GgufConverter;
import dev.qwen4j.format.gguf.GgufFile;
import dev.qwen4j.format.gguf.GgufStore;
import dev.qwen4j.format.gguf.GgufTensor;
import dev.qwen4j.format.gguf.GgufType;
import dev.qwen4j.format.gguf.GgufValue;
import dev.qwen4j.format.gguf.GgufWriter;
import dev.qwen4j.format.quant.QuantType;
import dev.qwen4j.testing.Golden;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model split into parts the way llama.cpp's gguf-split writes them loads from any part and computes the same. */
class SplitGgufTest {
    @TempDir
    Path tmp;

    /** Writes whole's tensors into count parts named as gguf-split names them; the first part keeps all metadata. */
    static List<Path> split(Path whole, Path dir, String prefix, int count) {
        try (Arena arena = Arena.ofConfined()) {
            GgufFile f = GgufFile.open(whole, arena);
            List<GgufTensor> tensors = f.tensors();
            List<Path> parts = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                GgufWriter w = new GgufWriter();
                if (i == 0) w.putAll(f.metadata());
                w.put(GgufStore.SPLIT_NO, new GgufValue(GgufType.UINT16, i));
                w.put(GgufStore.SPLIT_COUNT, new GgufValue(GgufType.UINT16, count));
                w.put(GgufStore.SPLIT_TENSORS, GgufValue.int32(tensors.size()));
                for (int t = tensors.size() * i / count; t < tensors.size() * (i + 1) / count; t++) {
                    GgufTensor g = tensors.get(t);
                    w.addTensor(g.name(), g.ne(), g.dtype(), g.data());
                }
                Path p = dir.resolve(String.format("%s-%05d-of-%05d.gguf", prefix, i + 1, count));
                w.write(p);
                parts.add(p);
            }
            return parts;
        }
    }

    @Test
    void loadsFromAnyPartAndComputesAsTheWholeFile() {
        Path whole = tmp.resolve("tiny.gguf");
        GgufConverter.convert(Golden.model("tiny-qwen3"), QuantType.Q8_0, whole, null);
        List<Path> parts = split(whole, tmp, "tiny-q8_0", 3);
        int[] ids = Golden.ints(Golden.cases("tiny-qwen3.json").get("cases").get(0).get("input_ids"));
        float[] expected;
        try (LanguageModel m = ModelRegistry.load(whole)) {
            expected = TextModelGoldenTest.prefill(m, ids);
        }
        for (Path p : List.of(parts.get(0), parts.get(2))) {
            try (LanguageModel m = ModelRegistry.load(p)) {
                // the same weights and config; only the JIT's state differs between runs (last-bit rounding)
                float[] got = TextModelGoldenTest.prefill(m, ids);
                assertThat(got).hasSameSizeAs(expected);
                for (int i = 0; i < got.length; i++) {
                    assertThat(got[i]).as("opened from %s, logit %d", p.getFileName(), i).isCloseTo(expected[i], within(1e-4f * (1 + Math.abs(expected[i]))));
                }
            }
        }
        try (GgufStore s = GgufStore.open(parts.get(1))) {
            assertThat(s.file().path()).isEqualTo(parts.get(0)); // metadata comes from the first part
        }
    }

    @Test
    void aMissingOrMisnamedPartIsNamed() throws Exception {
        Path whole = tmp.resolve("tiny.gguf");
        GgufConverter.convert(Golden.model("tiny-qwen3"), QuantType.Q8_0, whole, null);
        List<Path> parts = split(whole, tmp, "m", 2);
        Files.delete(parts.get(1));
        assertThatThrownBy(() -> GgufStore.open(parts.get(0))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("part 2 of 2 of this split model is missing").hasMessageContaining("m-00002-of-00002.gguf");
        Path renamed = tmp.resolve("renamed.gguf");
        Files.move(parts.get(0), renamed);
        assertThatThrownBy(() -> GgufStore.open(renamed)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("part 1 of a model split in 2 files").hasMessageContaining("<name>-00001-of-00002.gguf");
    }
}
