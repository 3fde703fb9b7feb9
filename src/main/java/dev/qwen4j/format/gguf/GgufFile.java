package dev.qwen4j.format.gguf;

import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.tensor.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (version 2 or 3, little-endian) mapped into memory: header, metadata, tensor infos, and the
 * tensor data used in place. Every read is bounds-checked, so a corrupt or truncated file fails with a
 * {@link ModelFormatException} that names the file, the offset and what was being read.
 */
public final class GgufFile {
    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
    public static final int DEFAULT_ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";
    /** GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final List<GgufTensor> tensors;
    private final long alignment;
    private final long dataOffset;

    private GgufFile(Path path, int version, Map<String, GgufValue> metadata, List<GgufTensor> tensors,
                     long alignment, long dataOffset) {
        this.path = path;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    public static boolean looksLikeGguf(Path p) {
        if (!Files.isRegularFile(p)) return false;
        if (p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")) return true;
        try (var in = Files.newInputStream(p)) {
            byte[] m = in.readNBytes(4);
            return m.length == 4 && m[0] == 'G' && m[1] == 'G' && m[2] == 'U' && m[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    /** Maps and parses the file; its tensors stay valid until the arena closes. */
    public static GgufFile open(Path path, Arena arena) {
        MemorySegment seg;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (IOException e) {
            throw new ModelFormatException(path + ": cannot read GGUF file: " + e.getMessage(), e);
        }
        return parse(path, seg);
    }

    /** Parses GGUF bytes already in memory (path is used in messages only). */
    public static GgufFile parse(Path path, MemorySegment seg) {
        Cursor c = new Cursor(path, seg);
        if (seg.byteSize() < 4 || c.u32("magic") != MAGIC) {
            throw new ModelFormatException(path + ": not a GGUF file (bad magic)");
        }
        int version = c.u32("version");
        if (version != 2 && version != 3) {
            throw new ModelFormatException(path + ": GGUF version " + version + " is not supported (supported: 2, 3)");
        }
        long nTensors = c.u64("tensor count");
        long nKv = c.u64("metadata count");
        if (nTensors < 0 || nTensors > seg.byteSize() / 24) c.fail("tensor count " + nTensors + " is impossible for the file size");
        if (nKv < 0 || nKv > seg.byteSize() / 12) c.fail("metadata count " + nKv + " is impossible for the file size");
        Map<String, GgufValue> meta = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            String key = c.string("metadata key #" + i);
            GgufType type = c.type("type of '" + key + "'");
            GgufValue v = c.value(type, "'" + key + "'");
            if (meta.put(key, v) != null) c.fail("duplicate metadata key '" + key + "'");
        }
        long alignment = DEFAULT_ALIGNMENT;
        GgufValue a = meta.get(ALIGNMENT_KEY);
        if (a != null) {
            if (a.type() != GgufType.UINT32) c.fail(ALIGNMENT_KEY + " must be a uint32, is " + a.type());
            alignment = a.asLong();
            if (alignment <= 0 || Long.bitCount(alignment) != 1) c.fail(ALIGNMENT_KEY + " must be a power of two, is " + alignment);
        }
        record Info(String name, long[] ne, int type, long offset) {}
        List<Info> infos = new ArrayList<>();
        for (long i = 0; i < nTensors; i++) {
            String name = c.string("name of tensor #" + i);
            int nDims = c.u32("dimension count of '" + name + "'");
            if (nDims < 1 || nDims > MAX_DIMS) c.fail("tensor '" + name + "' has " + nDims + " dimensions (1.." + MAX_DIMS + " allowed)");
            long[] ne = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                ne[d] = c.u64("ne[" + d + "] of '" + name + "'");
                if (ne[d] < 0) c.fail("tensor '" + name + "' has a negative dimension");
            }
            int type = c.u32("type of '" + name + "'");
            long offset = c.u64("offset of '" + name + "'");
            if (offset < 0 || offset % alignment != 0) {
                c.fail("tensor '" + name + "' offset " + offset + " is not a multiple of the alignment " + alignment);
            }
            infos.add(new Info(name, ne, type, offset));
        }
        long dataOffset = align(c.pos, alignment);
        if (dataOffset > seg.byteSize() && !infos.isEmpty()) {
            throw new ModelFormatException(path + ": truncated: the tensor data section would start at byte " + dataOffset
                    + " but the file has " + seg.byteSize() + " bytes");
        }
        List<GgufTensor> tensors = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Info in : infos) {
            if (!names.add(in.name)) throw new ModelFormatException(path + ": duplicate tensor '" + in.name + "'");
            DType dt = DType.fromGgmlType(in.type);
            MemorySegment data = MemorySegment.NULL;
            if (dt != null) {
                long count;
                try {
                    count = 1;
                    for (long d : in.ne) count = Math.multiplyExact(count, d);
                } catch (ArithmeticException e) {
                    throw new ModelFormatException(path + ": tensor '" + in.name + "' has an impossible element count");
                }
                if (in.ne[0] % dt.blockSize() != 0) {
                    throw new ModelFormatException(path + ": tensor '" + in.name + "' row length " + in.ne[0]
                            + " is not a multiple of the " + dt + " block size " + dt.blockSize());
                }
                long bytes = dt.byteSize(count);
                long start = dataOffset + in.offset;
                if (start + bytes > seg.byteSize() || start + bytes < 0) {
                    throw new ModelFormatException(path + ": truncated: tensor '" + in.name + "' (" + dt + ", " + bytes
                            + " bytes at " + start + ") extends past the end of the file (" + seg.byteSize() + " bytes)");
                }
                data = seg.asSlice(start, bytes);
            }
            tensors.add(new GgufTensor(in.name, in.ne, in.type, dt, in.offset, data));
        }
        return new GgufFile(path, version, Collections.unmodifiableMap(meta), List.copyOf(tensors), alignment, dataOffset);
    }

    static long align(long x, long alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    public Path path() { return path; }
    public int version() { return version; }
    public Map<String, GgufValue> metadata() { return metadata; }
    public List<GgufTensor> tensors() { return tensors; }
    public long alignment() { return alignment; }
    public long dataOffset() { return dataOffset; }

    public GgufMetadata meta() {
        return new GgufMetadata(path, metadata);
    }

    /** Reads values with a moving position, failing with the file and offset when bytes run out. */
    private static final class Cursor {
        final Path path;
        final MemorySegment seg;
        long pos;

        Cursor(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
        }

        void need(long n, String what) {
            if (n < 0 || pos + n > seg.byteSize() || pos + n < 0) {
                throw new ModelFormatException(path + ": truncated or corrupt GGUF: " + what + " at byte " + pos + " needs "
                        + n + " bytes but the file has " + seg.byteSize());
            }
        }

        void fail(String what) {
            throw new ModelFormatException(path + ": corrupt GGUF at byte " + pos + ": " + what);
        }

        int u8(String what) { need(1, what); return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF; }
        int u16(String what) { need(2, what); int v = seg.get(U16, pos) & 0xFFFF; pos += 2; return v; }
        int u32(String what) { need(4, what); int v = seg.get(U32, pos); pos += 4; return v; }
        long u64(String what) { need(8, what); long v = seg.get(U64, pos); pos += 8; return v; }

        GgufType type(String what) {
            int id = u32(what);
            GgufType t = GgufType.of(id);
            if (t == null) fail(what + ": unknown value type " + id);
            return t;
        }

        String string(String what) {
            long len = u64("length of " + what);
            need(len, what);
            byte[] b = new byte[Math.toIntExact(len)];
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, b.length);
            try {
                String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
                pos += len;
                return s;
            } catch (CharacterCodingException e) {
                fail(what + " is not valid UTF-8");
                return null;
            }
        }

        GgufValue value(GgufType t, String what) {
            return new GgufValue(t, raw(t, what));
        }

        Object raw(GgufType t, String what) {
            return switch (t) {
                case UINT8 -> u8(what);
                case INT8 -> (int) (byte) u8(what);
                case UINT16 -> u16(what);
                case INT16 -> (int) (short) u16(what);
                case UINT32 -> u32(what) & 0xFFFFFFFFL;
                case INT32 -> u32(what);
                case FLOAT32 -> { need(4, what); float v = seg.get(F32, pos); pos += 4; yield v; }
                case FLOAT64 -> { need(8, what); double v = seg.get(F64, pos); pos += 8; yield v; }
                case BOOL -> {
                    int b = u8(what);
                    if (b > 1) fail(what + ": bool byte " + b + " is neither 0 nor 1");
                    yield b == 1;
                }
                case STRING -> string(what);
                case UINT64, INT64 -> u64(what);
                case ARRAY -> {
                    GgufType et = type("element type of " + what);
                    long n = u64("length of " + what);
                    if (n < 0 || n > (seg.byteSize() - pos) / et.minBytes()) {
                        fail(what + ": array of " + n + " " + et + " values cannot fit in the rest of the file");
                    }
                    List<Object> values = new ArrayList<>((int) n);
                    for (long i = 0; i < n; i++) values.add(raw(et, what + "[" + i + "]"));
                    yield new GgufArray(et, values);
                }
            };
        }
    }
}
