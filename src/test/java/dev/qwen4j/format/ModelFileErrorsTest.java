package dev.qwen4j.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qwen4j.model.ModelRegistry;
import dev.qwen4j.testing.Golden;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken model folders fail at load with a message naming the file and the field or tensor. */
class ModelFileErrorsTest {
    @TempDir
    Path tmp;

    private Path copyOfTinyQwen3() throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(Golden.model("tiny-qwen3").resolve(f), dir.resolve(f));
        }
        return dir;
    }

    @Test
    void missingConfigKeyNamesTheKey() throws IOException {
        Path dir = copyOfTinyQwen3();
        String cfg = Files.readString(dir.resolve("config.json")).replace("\"hidden_size\": 32,", "");
        Files.writeString(dir.resolve("config.json"), cfg);
        assertThatThrownBy(() -> ModelRegistry.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("config.json").hasMessageContaining("'hidden_size' is required");
    }

    @Test
    void unknownModelTypeListsSupported() throws IOException {
        Path dir = copyOfTinyQwen3();
        String cfg = Files.readString(dir.resolve("config.json")).replace("\"model_type\": \"qwen3\"", "\"model_type\": \"llama\"");
        Files.writeString(dir.resolve("config.json"), cfg);
        assertThatThrownBy(() -> ModelRegistry.load(dir)).hasMessageContaining("'llama' is not supported").hasMessageContaining("qwen3_moe");
    }

    @Test
    void configShapeMismatchNamesTensor() throws IOException {
        Path dir = copyOfTinyQwen3();
        String cfg = Files.readString(dir.resolve("config.json")).replace("\"intermediate_size\": 96", "\"intermediate_size\": 64");
        Files.writeString(dir.resolve("config.json"), cfg);
        assertThatThrownBy(() -> ModelRegistry.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("gate_proj.weight").hasMessageContaining("[96, 32]").hasMessageContaining("[64, 32]");
    }

    @Test
    void truncatedSafetensorsNamesFileAndTensor() throws IOException {
        Path dir = copyOfTinyQwen3();
        Path st = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(st);
        Files.write(st, java.util.Arrays.copyOf(all, all.length - 1000));
        assertThatThrownBy(() -> ModelRegistry.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("model.safetensors").hasMessageContaining("truncated");
    }

    @Test
    void tinyFileIsNotSafetensors() throws IOException {
        Path st = tmp.resolve("x.safetensors");
        Files.write(st, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(st, java.lang.foreign.Arena.ofAuto()))
                .hasMessageContaining("x.safetensors").hasMessageContaining("not a safetensors file");
    }

    @Test
    void corruptHeaderIsReported() throws IOException {
        Path st = write("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]", new byte[8]);
        assertThatThrownBy(() -> SafetensorsFile.open(st, java.lang.foreign.Arena.ofAuto()))
                .hasMessageContaining("corrupt safetensors header");
    }

    @Test
    void headerShapeDisagreeingWithOffsets() throws IOException {
        Path st = write("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", new byte[8]);
        assertThatThrownBy(() -> SafetensorsFile.open(st, java.lang.foreign.Arena.ofAuto()))
                .hasMessageContaining("tensor 'a'").hasMessageContaining("needs 12 bytes");
    }

    @Test
    void unknownDtypeIsReportedWhenUsed() throws IOException {
        Path st = write("{\"a\": {\"dtype\": \"I8\", \"shape\": [2, 4], \"data_offsets\": [0, 8]}}", new byte[8]);
        SafetensorsFile f = SafetensorsFile.open(st, java.lang.foreign.Arena.ofAuto());
        assertThat(f.tensors()).containsKey("a");
        TensorStore store = new TensorStore() {
            public java.util.Optional<TensorInfo> find(String n) { return java.util.Optional.ofNullable(f.tensors().get(n)); }
            public java.util.Collection<TensorInfo> all() { return f.tensors().values(); }
            public String source() { return st.toString(); }
            public void close() {}
        };
        assertThatThrownBy(() -> store.matrix("a", 2, 4)).hasMessageContaining("dtype I8").hasMessageContaining("not support");
        assertThatThrownBy(() -> store.matrix("b", 2, 4)).hasMessageContaining("missing tensor 'b'");
    }

    @Test
    void shardedIndexIsFollowedAndMissingShardReported() throws IOException {
        Path dir = copyOfTinyQwen3();
        Files.move(dir.resolve("model.safetensors"), dir.resolve("model-00001-of-00001.safetensors"));
        StringBuilder idx = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        SafetensorsFile f = SafetensorsFile.open(dir.resolve("model-00001-of-00001.safetensors"), java.lang.foreign.Arena.ofAuto());
        String sep = "";
        for (String name : f.tensors().keySet()) {
            idx.append(sep).append('"').append(name).append("\": \"model-00001-of-00001.safetensors\"");
            sep = ", ";
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), idx.append("}}").toString());
        ModelRegistry.load(dir).close();

        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"model.norm.weight\": \"model-00002-of-00002.safetensors\"}}");
        assertThatThrownBy(() -> ModelRegistry.load(dir)).hasMessageContaining("model-00002-of-00002.safetensors").hasMessageContaining("missing");
    }

    private Path write(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = tmp.resolve("t.safetensors");
        Files.write(p, b.array());
        return p;
    }
}
