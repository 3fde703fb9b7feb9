package dev.qwen4j.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tensors of a Hugging Face model folder: `model.safetensors`, or the shards listed in
 * `model.safetensors.index.json`. All files are mapped in one shared arena, released by close().
 */
public final class SafetensorsStore implements TensorStore {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path dir;
    private final Arena arena;
    private final List<SafetensorsFile> files;
    private final Map<String, TensorInfo> tensors;

    private SafetensorsStore(Path dir, Arena arena, List<SafetensorsFile> files, Map<String, TensorInfo> tensors) {
        this.dir = dir;
        this.arena = arena;
        this.files = files;
        this.tensors = tensors;
    }

    public static boolean isPresentIn(Path dir) {
        return Files.isRegularFile(dir.resolve(SINGLE_FILE)) || Files.isRegularFile(dir.resolve(INDEX_FILE));
    }

    public static SafetensorsStore open(Path dir) {
        Arena arena = Arena.ofShared();
        try {
            List<Path> paths = shardPaths(dir);
            List<SafetensorsFile> files = new ArrayList<>();
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (Path p : paths) {
                SafetensorsFile f = SafetensorsFile.open(p, arena);
                files.add(f);
                for (TensorInfo t : f.tensors().values()) {
                    TensorInfo prev = tensors.put(t.name(), t);
                    if (prev != null) {
                        throw new ModelFormatException("tensor '" + t.name() + "' appears in both " + prev.file()
                                + " and " + t.file());
                    }
                }
            }
            checkIndexMatches(dir, tensors);
            return new SafetensorsStore(dir, arena, List.copyOf(files), Collections.unmodifiableMap(tensors));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static List<Path> shardPaths(Path dir) {
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            JsonNode weightMap = Json.read(index).get("weight_map");
            if (weightMap == null || !weightMap.isObject()) {
                throw new ModelFormatException(index + ": missing object 'weight_map'");
            }
            Set<String> shards = new LinkedHashSet<>();
            weightMap.forEach(v -> shards.add(v.asText()));
            List<Path> out = new ArrayList<>();
            for (String s : shards) {
                Path p = dir.resolve(s).normalize();
                if (!p.startsWith(dir.normalize())) throw new ModelFormatException(index + ": shard path escapes the folder: " + s);
                if (!Files.isRegularFile(p)) throw new ModelFormatException(index + ": lists shard " + s + ", which is missing");
                out.add(p);
            }
            return out;
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) return List.of(single);
        throw new ModelFormatException(dir + ": no " + SINGLE_FILE + " or " + INDEX_FILE + " found");
    }

    /** Every tensor the index names must be in the shard it names. */
    private static void checkIndexMatches(Path dir, Map<String, TensorInfo> tensors) {
        Path index = dir.resolve(INDEX_FILE);
        if (!Files.isRegularFile(index)) return;
        Json.read(index).get("weight_map").fields().forEachRemaining(e -> {
            TensorInfo t = tensors.get(e.getKey());
            if (t == null) {
                throw new ModelFormatException(index + ": tensor '" + e.getKey() + "' is not in shard " + e.getValue().asText());
            }
        });
    }

    @Override
    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public Collection<TensorInfo> all() {
        return tensors.values();
    }

    public List<SafetensorsFile> files() {
        return files;
    }

    @Override
    public String source() {
        return files.size() == 1 ? files.get(0).path().toString() : dir + " (" + files.size() + " safetensors shards)";
    }

    @Override
    public void close() {
        arena.close();
    }
}
