package dev.qwen4j.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.quant.QuantRows;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    @TempDir
    Path tmp;

    /**
     * The bytes of a minimal GGUF v3 file, written out by hand from the format description: one string key,
     * one F32 tensor of ne = [3, 2] at offset 0, data at the next multiple of 32.
     */
    private static byte[] handBuilt() {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(1).putLong(1);
        byte[] key = "general.architecture".getBytes(StandardCharsets.UTF_8);
        b.putLong(key.length).put(key).putInt(8); // STRING
        b.putLong(5).put("qwen3".getBytes(StandardCharsets.UTF_8));
        b.putLong(1).put((byte) 'w').putInt(2).putLong(3).putLong(2).putInt(0).putLong(0);
        while (b.position() % 32 != 0) b.put((byte) 0);
        for (int i = 0; i < 6; i++) b.putFloat(i + 0.5f);
        while (b.position() % 32 != 0) b.put((byte) 0);
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void readsAHandBuiltFile() throws IOException {
        Path p = tmp.resolve("hand.gguf");
        Files.write(p, handBuilt());
        try (Arena arena = Arena.ofConfined()) {
            GgufFile f = GgufFile.open(p, arena);
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.metadata()).containsOnlyKeys("general.architecture");
            assertThat(f.meta().requireString("general.architecture")).isEqualTo("qwen3");
            // header 24 + key 28 + type 4 + value 13 + tensor info 41 = 110 bytes, aligned up to 128
            assertThat(f.dataOffset()).isEqualTo(128);
            GgufTensor t = f.tensors().get(0);
            assertThat(t.name()).isEqualTo("w");
            assertThat(t.ne()).containsExactly(3, 2);
            assertThat(t.shape()).containsExactly(2, 3);
            assertThat(t.dtype()).isEqualTo(DType.F32);
            assertThat(t.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED)).containsExactly(0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f);
        }
    }

    @Test
    void aTensorOfATypeQwen4jLacksIsNamedAsGgmlNamesIt() throws IOException {
        byte[] bytes = handBuilt();
        // the tensor info's type field follows name length (8), name (1), n_dims (4) and ne (2 × 8) at offset 69
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(69 + 8 + 1 + 4 + 16, 21);
        Path p = tmp.resolve("iq3.gguf");
        Files.write(p, bytes);
        try (Arena arena = Arena.ofConfined()) {
            GgufTensor t = GgufFile.open(p, arena).tensors().get(0);
            assertThat(t.dtype()).isNull();
            assertThat(t.typeName()).isEqualTo("IQ3_S (ggml_type 21)");
        }
    }

    @Test
    void writerProducesTheHandBuiltBytes() throws IOException {
        Path p = tmp.resolve("written.gguf");
        MemorySegment data = MemorySegment.ofArray(new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f});
        new GgufWriter().put("general.architecture", GgufValue.string("qwen3"))
                .addTensor("w", new long[] {3, 2}, DType.F32, data).write(p);
        assertThat(Files.readAllBytes(p)).containsExactly(handBuilt());
    }

    /** Every value type, nested arrays, a non-default alignment and tensors of every dtype survive write → read → write. */
    @Test
    void roundTripKeepsMetadataTensorsAndBytes() throws IOException {
        Map<String, GgufValue> meta = new LinkedHashMap<>();
        meta.put("general.alignment", GgufValue.uint32(64));
        meta.put("u8", new GgufValue(GgufType.UINT8, 255));
        meta.put("i8", new GgufValue(GgufType.INT8, -128));
        meta.put("u16", new GgufValue(GgufType.UINT16, 65535));
        meta.put("i16", new GgufValue(GgufType.INT16, -32768));
        meta.put("u32", GgufValue.uint32(4_000_000_000L));
        meta.put("i32", GgufValue.int32(-7));
        meta.put("f32", GgufValue.float32(1.25f));
        meta.put("bool", GgufValue.bool(true));
        meta.put("str", GgufValue.string("héllo ✓"));
        meta.put("u64", new GgufValue(GgufType.UINT64, -1L));
        meta.put("i64", new GgufValue(GgufType.INT64, Long.MIN_VALUE));
        meta.put("f64", new GgufValue(GgufType.FLOAT64, Math.PI));
        meta.put("strs", GgufValue.strings(List.of("a", "", "ç")));
        meta.put("nested", new GgufValue(GgufType.ARRAY, new GgufArray(GgufType.ARRAY,
                List.of(new GgufArray(GgufType.INT32, List.of(1, 2)), new GgufArray(GgufType.BOOL, List.of(false))))));
        Random rnd = new Random(3);
        GgufWriter w = new GgufWriter().putAll(meta);
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        for (DType t : DType.values()) {
            long[] ne = {256, 3};
            byte[] b = new byte[(int) t.byteSize(768)];
            if (t.isQuantized()) {
                float[] x = new float[768];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                QuantRows.quantize(t, x, 0, 768, MemorySegment.ofArray(b), 0);
            } else {
                rnd.nextBytes(b);
            }
            bytes.put("t." + t, b);
            w.addTensor("t." + t, ne, t, MemorySegment.ofArray(b));
        }
        Path p1 = tmp.resolve("a.gguf"), p2 = tmp.resolve("b.gguf");
        w.write(p1);
        try (Arena arena = Arena.ofConfined()) {
            GgufFile f = GgufFile.open(p1, arena);
            assertThat(f.metadata()).isEqualTo(meta);
            assertThat(f.alignment()).isEqualTo(64);
            GgufWriter again = new GgufWriter().putAll(f.metadata());
            for (GgufTensor t : f.tensors()) {
                assertThat(t.offset() % 64).isZero();
                assertThat(t.data().toArray(ValueLayout.JAVA_BYTE)).as(t.name()).containsExactly(bytes.get(t.name()));
                assertThat(t.ne()).containsExactly(256, 3);
                again.addTensor(t.name(), t.ne(), t.dtype(), t.data());
            }
            assertThat(f.tensors()).extracting(GgufTensor::name).containsExactlyElementsOf(bytes.keySet());
            again.write(p2);
        }
        assertThat(Files.readAllBytes(p2)).containsExactly(Files.readAllBytes(p1));
    }

    @Test
    void everyTruncationIsAClearError() throws IOException {
        byte[] full = handBuilt();
        int dataEnd = 128 + 24;
        for (int len = 0; len < dataEnd; len++) {
            Path p = tmp.resolve("cut" + len + ".gguf");
            Files.write(p, Arrays.copyOf(full, len));
            assertThatThrownBy(() -> open(p)).as("length %d", len)
                    .isInstanceOf(ModelFormatException.class).hasMessageContaining(p.toString());
        }
    }

    @Test
    void corruptFilesAreClearErrors() throws IOException {
        assertError(patch(0, (byte) 'X'), "not a GGUF file");
        assertError(patchInt(4, 7), "version 7 is not supported");
        assertError(patchInt(8 + 8 + 8 + 8 + 20, 99), "unknown value type 99"); // type of the first key
        assertError(patchLong(16, Long.MAX_VALUE / 2), "metadata count");
        // the tensor info runs from byte 69: name 9, n_dims at 78, ne at 82 and 90, type at 98, offset at 102
        assertError(patchInt(78, 9), "9 dimensions");
        assertError(patchLong(102, 4), "not a multiple of the alignment");
        assertError(patchLong(90, 200), "extends past the end of the file");
        assertError(patchInt(98, 12), "row length 3 is not a multiple of the Q4_K block size");
        assertError(patchLong(52 + 4, 1L << 40), "'general.architecture' at byte 64 needs 1099511627776 bytes");
    }

    private byte[] patch(int at, byte v) {
        byte[] b = handBuilt();
        b[at] = v;
        return b;
    }

    private byte[] patchInt(int at, int v) {
        byte[] b = handBuilt();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return b;
    }

    private byte[] patchLong(int at, long v) {
        byte[] b = handBuilt();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return b;
    }

    private void assertError(byte[] bytes, String message) throws IOException {
        Path p = Files.createTempFile(tmp, "bad", ".gguf");
        Files.write(p, bytes);
        assertThatThrownBy(() -> open(p)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(p.toString()).hasMessageContaining(message);
    }

    private static void open(Path p) {
        try (Arena arena = Arena.ofConfined()) {
            GgufFile.open(p, arena);
        }
    }
}
