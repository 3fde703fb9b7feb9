package dev.qwen4j.format.gguf;

import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.format.TensorInfo;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.tensor.DType;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tensors of a GGUF file under their Hugging Face names and shapes, so model code loads from GGUF
 * exactly as from safetensors. Stacked expert tensors appear as one [rows, cols] slice per expert, used
 * in place; tensors outside the name map keep their GGUF names.
 *
 * <p>A model split by llama.cpp's gguf-split ({@code name-00001-of-00003.gguf}, …; the parts carry
 * {@code split.no}, {@code split.count} and {@code split.tensors.count}, the first one all other metadata)
 * opens from any of its parts: all are mapped and their tensors merged, and a missing or mismatched part is
 * named in the error.
 */
public final class GgufStore implements TensorStore {
    private final GgufFile file;
    private final List<GgufTensor> ggufTensors;
    private final Arena arena;
    private final Map<String, TensorInfo> tensors;

    private GgufStore(GgufFile file, List<GgufTensor> ggufTensors, Arena arena, Map<String, TensorInfo> tensors) {
        this.file = file;
        this.ggufTensors = ggufTensors;
        this.arena = arena;
        this.tensors = tensors;
    }

    /** llama.cpp's gguf-split metadata (LLM_KV_SPLIT_*): this part's index from 0, the part count, all parts' tensors. */
    public static final String SPLIT_NO = "split.no", SPLIT_COUNT = "split.count", SPLIT_TENSORS = "split.tensors.count";
    /** llama.cpp's llama_split_path: {@code <prefix>-%05d-of-%05d.gguf}, parts numbered from 1. */
    private static final Pattern SPLIT_NAME = Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");

    public static GgufStore open(Path path) {
        Arena arena = Arena.ofShared();
        try {
            List<GgufFile> parts = parts(GgufFile.open(path, arena), arena);
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            List<GgufTensor> all = new ArrayList<>();
            for (GgufFile part : parts) {
                map(part, tensors);
                all.addAll(part.tensors());
            }
            long count = all.size();
            GgufFile first = parts.get(0);
            if (parts.size() > 1 && first.meta().has(SPLIT_TENSORS) && first.meta().requireLong(SPLIT_TENSORS) != count) {
                throw new ModelFormatException(first.path() + ": the " + parts.size() + " parts hold " + count + " tensors, but "
                        + SPLIT_TENSORS + " says " + first.meta().requireLong(SPLIT_TENSORS));
            }
            return new GgufStore(first, List.copyOf(all), arena, Collections.unmodifiableMap(tensors));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** All parts of the model the file given belongs to, first part first (just the file when it is not split). */
    static List<GgufFile> parts(GgufFile given, Arena arena) {
        int count = given.meta().optInt(SPLIT_COUNT, 1);
        if (count <= 1) return List.of(given);
        int no = given.meta().optInt(SPLIT_NO, 0);
        Matcher m = SPLIT_NAME.matcher(given.path().getFileName().toString());
        if (!m.matches() || Integer.parseInt(m.group(2)) != no + 1 || Integer.parseInt(m.group(3)) != count) {
            throw new ModelFormatException(given.path() + ": part " + (no + 1) + " of a model split in " + count
                    + " files, but its name is not <name>-" + part(no + 1, count) + ", so the other parts cannot be found");
        }
        List<GgufFile> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path p = given.path().resolveSibling(m.group(1) + "-" + part(i + 1, count));
            if (i == no) {
                parts.add(given);
                continue;
            }
            if (!Files.isRegularFile(p)) {
                throw new ModelFormatException(given.path() + ": part " + (i + 1) + " of " + count + " of this split model is missing: " + p);
            }
            GgufFile f = GgufFile.open(p, arena);
            if (f.meta().optInt(SPLIT_NO, -1) != i || f.meta().optInt(SPLIT_COUNT, -1) != count) {
                throw new ModelFormatException(p + ": expected part " + (i + 1) + " of " + count + ", but its metadata says "
                        + SPLIT_NO + "=" + f.meta().optInt(SPLIT_NO, -1) + ", " + SPLIT_COUNT + "=" + f.meta().optInt(SPLIT_COUNT, -1));
            }
            parts.add(f);
        }
        return parts;
    }

    private static String part(int no, int count) {
        return String.format(Locale.ROOT, "%05d-of-%05d.gguf", no, count);
    }

    private static void map(GgufFile f, Map<String, TensorInfo> out) {
        for (GgufTensor t : f.tensors()) {
            DType dt = t.dtype();
            if (GgufNames.isStackedExperts(t.name())) {
                if (t.ne().length != 3) {
                    throw new ModelFormatException(f.path() + ": expert tensor '" + t.name() + "' must have 3 dimensions, has " + t.ne().length);
                }
                long cols = t.ne()[0], rows = t.ne()[1];
                int experts = Math.toIntExact(t.ne()[2]);
                long bytes = dt == null ? 0 : dt.byteSize(rows * cols);
                for (int e = 0; e < experts; e++) {
                    String hf = GgufNames.toHf(t.name(), e);
                    var data = dt == null ? t.data() : t.data().asSlice(e * bytes, bytes);
                    put(f, out, new TensorInfo(hf, t.typeName(), dt, new long[] {rows, cols}, data, f.path()));
                }
            } else {
                String hf = GgufNames.toHf(t.name(), -1);
                put(f, out, new TensorInfo(hf != null ? hf : t.name(), t.typeName(), dt, t.shape(), t.data(), f.path()));
            }
        }
    }

    private static void put(GgufFile f, Map<String, TensorInfo> out, TensorInfo t) {
        if (out.put(t.name(), t) != null) throw new ModelFormatException(f.path() + ": two tensors map to '" + t.name() + "'");
    }

    /** The file with the model's metadata (a split model's first part). */
    public GgufFile file() {
        return file;
    }

    /** The GGUF tensors of all parts, as the files list them. */
    public List<GgufTensor> ggufTensors() {
        return ggufTensors;
    }

    @Override
    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public Collection<TensorInfo> all() {
        return tensors.values();
    }

    @Override
    public String source() {
        return file.path().toString();
    }

    @Override
    public void close() {
        arena.close();
    }
}
