package dev.qwen4j.format.gguf;

import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.tensor.DType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes a GGUF v3 file: metadata in insertion order, tensor infos, then each tensor's bytes at the next
 * multiple of the alignment (zero padded), as llama.cpp's gguf writer lays them out. Tensor data is asked
 * for one tensor at a time while writing, so a quantizer can produce it without holding the whole model.
 * The file appears under its name only once complete.
 */
public final class GgufWriter {
    /** A tensor to write; data() must return exactly the bytes its type and shape need. */
    public record Entry(String name, long[] ne, DType dtype, Supplier<MemorySegment> data) {
        long bytes() {
            long n = 1;
            for (long d : ne) n *= d;
            return dtype.byteSize(n);
        }
    }

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Entry> tensors = new ArrayList<>();

    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putAll(Map<String, GgufValue> values) {
        metadata.putAll(values);
        return this;
    }

    public GgufWriter addTensor(String name, long[] ne, DType dtype, Supplier<MemorySegment> data) {
        if (ne.length < 1 || ne.length > GgufFile.MAX_DIMS) throw new IllegalArgumentException(name + ": 1.." + GgufFile.MAX_DIMS + " dimensions");
        if (ne[0] % dtype.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": row length " + ne[0] + " is not a multiple of the " + dtype + " block size");
        }
        tensors.add(new Entry(name, ne.clone(), dtype, data));
        return this;
    }

    public GgufWriter addTensor(String name, long[] ne, DType dtype, MemorySegment data) {
        return addTensor(name, ne, dtype, () -> data);
    }

    public void write(Path path) {
        long alignment = metadata.containsKey(GgufFile.ALIGNMENT_KEY) ? metadata.get(GgufFile.ALIGNMENT_KEY).asLong() : GgufFile.DEFAULT_ALIGNMENT;
        Path tmp = path.resolveSibling(path.getFileName() + ".partial");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            Out out = new Out(ch);
            out.u32(GgufFile.MAGIC);
            out.u32(3);
            out.u64(tensors.size());
            out.u64(metadata.size());
            for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
                out.string(e.getKey());
                out.u32(e.getValue().type().id());
                out.value(e.getValue().type(), e.getValue().value());
            }
            long offset = 0;
            for (Entry t : tensors) {
                out.string(t.name);
                out.u32(t.ne.length);
                for (long d : t.ne) out.u64(d);
                out.u32(t.dtype.ggmlType());
                out.u64(offset);
                offset = GgufFile.align(offset + t.bytes(), alignment);
            }
            out.pad(alignment);
            for (Entry t : tensors) {
                MemorySegment data = t.data.get();
                if (data.byteSize() != t.bytes()) {
                    throw new IllegalArgumentException(t.name + ": " + data.byteSize() + " bytes, expected " + t.bytes());
                }
                out.segment(data);
                out.pad(alignment);
            }
            out.flush();
        } catch (IOException e) {
            throw new ModelFormatException(path + ": cannot write GGUF file: " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ModelFormatException(path + ": cannot move the written file into place: " + e.getMessage(), e);
        }
    }

    /** A little-endian buffered writer that tracks the file position for padding. */
    private static final class Out {
        final FileChannel ch;
        final ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long pos;

        Out(FileChannel ch) {
            this.ch = ch;
        }

        void ensure(int n) throws IOException {
            if (buf.remaining() < n) flush();
        }

        void flush() throws IOException {
            buf.flip();
            while (buf.hasRemaining()) ch.write(buf);
            buf.clear();
        }

        void u8(int v) throws IOException { ensure(1); buf.put((byte) v); pos += 1; }
        void u16(int v) throws IOException { ensure(2); buf.putShort((short) v); pos += 2; }
        void u32(int v) throws IOException { ensure(4); buf.putInt(v); pos += 4; }
        void u64(long v) throws IOException { ensure(8); buf.putLong(v); pos += 8; }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void bytes(byte[] b) throws IOException {
            int i = 0;
            while (i < b.length) {
                ensure(1);
                int n = Math.min(buf.remaining(), b.length - i);
                buf.put(b, i, n);
                i += n;
            }
            pos += b.length;
        }

        void segment(MemorySegment s) throws IOException {
            flush();
            long chunk = 1L << 24;
            byte[] heap = s.isNative() ? null : new byte[(int) Math.min(chunk, s.byteSize())];
            for (long o = 0; o < s.byteSize(); o += chunk) {
                int n = (int) Math.min(chunk, s.byteSize() - o);
                ByteBuffer bb;
                if (heap == null) {
                    bb = s.asSlice(o, n).asByteBuffer(); // mapped or off-heap: written without a copy
                } else {
                    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, o, heap, 0, n);
                    bb = ByteBuffer.wrap(heap, 0, n);
                }
                while (bb.hasRemaining()) ch.write(bb);
            }
            pos += s.byteSize();
        }

        void pad(long alignment) throws IOException {
            while (pos % alignment != 0) u8(0);
        }

        void value(GgufType t, Object v) throws IOException {
            switch (t) {
                case UINT8, INT8 -> u8((Integer) v);
                case UINT16, INT16 -> u16((Integer) v);
                case INT32 -> u32((Integer) v);
                case UINT32 -> u32((int) (long) (Long) v);
                case FLOAT32 -> { ensure(4); buf.putFloat((Float) v); pos += 4; }
                case FLOAT64 -> { ensure(8); buf.putDouble((Double) v); pos += 8; }
                case BOOL -> u8((Boolean) v ? 1 : 0);
                case STRING -> string((String) v);
                case UINT64, INT64 -> u64((Long) v);
                case ARRAY -> {
                    GgufArray a = (GgufArray) v;
                    u32(a.elementType().id());
                    u64(a.size());
                    for (Object x : a.values()) value(a.elementType(), x);
                }
            }
        }
    }
}
