package dev.qwen4j.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qwen4j.tensor.DType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped .safetensors file: an 8-byte little-endian header length, a JSON header of
 * {name: {dtype, shape, data_offsets}}, then the raw tensor bytes. Tensors are slices of the mapping;
 * nothing is copied. The header is checked completely at open so a truncated or corrupt file fails
 * here, naming the file and the tensor, not later in the middle of a forward pass.
 */
public final class SafetensorsFile {
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Maps the file into arena (which owns the mapping's lifetime) and validates its header. */
    public static SafetensorsFile open(Path path, Arena arena) {
        MemorySegment file;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path + ": file not found");
        } catch (IOException e) {
            throw new ModelFormatException(path + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parse(path, file);
    }

    static SafetensorsFile parse(Path path, MemorySegment file) {
        long size = file.byteSize();
        if (size < 8) {
            throw new ModelFormatException(path + ": not a safetensors file (only " + size + " bytes, truncated?)");
        }
        long headerLen = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
            throw new ModelFormatException(path + ": invalid safetensors header length " + headerLen
                    + " for a file of " + size + " bytes (truncated or not a safetensors file)");
        }
        byte[] headerBytes = file.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        JsonNode header;
        try {
            header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8).trim());
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(path + ": corrupt safetensors header (invalid JSON: "
                    + e.getOriginalMessage() + ")", e);
        }
        if (header == null || !header.isObject()) {
            throw new ModelFormatException(path + ": corrupt safetensors header (not a JSON object)");
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        MemorySegment data = file.asSlice(dataStart, dataSize);

        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode t = e.getValue();
            if (name.equals("__metadata__")) {
                t.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(name, parseTensor(path, name, t, data, dataSize));
        }
        return new SafetensorsFile(path, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo parseTensor(Path path, String name, JsonNode t, MemorySegment data, long dataSize) {
        String where = path + ": tensor '" + name + "'";
        JsonNode dt = t.get("dtype"), shapeNode = t.get("shape"), offs = t.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw new ModelFormatException(where + ": missing 'dtype'");
        if (shapeNode == null || !shapeNode.isArray()) throw new ModelFormatException(where + ": missing 'shape'");
        if (offs == null || !offs.isArray() || offs.size() != 2) {
            throw new ModelFormatException(where + ": 'data_offsets' must be [begin, end]");
        }
        long[] shape = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) throw new ModelFormatException(where + ": bad shape " + shapeNode);
            shape[i] = d.asLong();
            count *= shape[i];
        }
        long begin = offs.get(0).asLong(-1), end = offs.get(1).asLong(-1);
        if (begin < 0 || end < begin) throw new ModelFormatException(where + ": bad data_offsets " + offs);
        if (end > dataSize) {
            throw new ModelFormatException(where + ": data ends at byte " + end + " but the file holds only "
                    + dataSize + " data bytes (file truncated?)");
        }
        DType dtype = DType.fromSafetensorsName(dt.asText());
        if (dtype != null && count * dtype.bytes() != end - begin) {
            throw new ModelFormatException(where + ": shape " + shapeNode + " of " + dtype + " needs "
                    + count * dtype.bytes() + " bytes but data_offsets span " + (end - begin));
        }
        return new TensorInfo(name, dt.asText(), dtype, shape, data.asSlice(begin, end - begin), path);
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }
}
