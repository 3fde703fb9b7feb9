package dev.qwen4j.format;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Writes a .safetensors file. Tensors are declared first (name, dtype, shape) so the header can be laid
 * out, then each tensor's bytes are filled in place through a mapped segment: large models are written
 * without holding them in memory. The file appears under its final name only when complete.
 */
public final class SafetensorsWriter {
    private record Entry(String name, DType dtype, long[] shape, Consumer<MemorySegment> fill) {}

    private final List<Entry> entries = new ArrayList<>();

    /** Declares a tensor whose bytes fill writes into the given segment (little-endian). */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, Consumer<MemorySegment> fill) {
        entries.add(new Entry(name, dtype, shape.clone(), fill));
        return this;
    }

    public void write(Path file) {
        ObjectNode header = Json.MAPPER.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        List<long[]> spans = new ArrayList<>();
        for (Entry e : entries) {
            long n = e.dtype.bytes();
            for (long d : e.shape) n *= d;
            ObjectNode t = header.putObject(e.name);
            t.put("dtype", e.dtype.name());
            var shape = t.putArray("shape");
            for (long d : e.shape) shape.add(d);
            t.putArray("data_offsets").add(offset).add(offset + n);
            spans.add(new long[] {offset, n});
            offset += n;
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8; // keep tensor data 8-byte aligned, as the reference writer does
        byte[] padded = new byte[h.length + pad];
        System.arraycopy(h, 0, padded, 0, h.length);
        java.util.Arrays.fill(padded, h.length, padded.length, (byte) ' ');
        long dataStart = 8 + padded.length;
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (Arena arena = Arena.ofShared(); // fillers may write from worker threads
                 FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.READ,
                         StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, dataStart + offset, arena);
                seg.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, padded.length);
                MemorySegment.copy(padded, 0, seg, ValueLayout.JAVA_BYTE, 8, padded.length);
                for (int i = 0; i < entries.size(); i++) {
                    long[] s = spans.get(i);
                    entries.get(i).fill.accept(seg.asSlice(dataStart + s[0], s[1]));
                }
                seg.force();
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
