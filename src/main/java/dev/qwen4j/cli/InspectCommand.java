package dev.qwen4j.cli;

import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.SafetensorsStore;
import dev.qwen4j.format.TensorInfo;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.format.gguf.GgufArray;
import dev.qwen4j.format.gguf.GgufFile;
import dev.qwen4j.format.gguf.GgufModelConfig;
import dev.qwen4j.format.gguf.GgufStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints a model's config and its tensor table (a folder, or a GGUF file with its metadata). */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a model's config and tensors.")
final class InspectCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = "--tensors", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "List every tensor (default on; --no-tensors for the summary only).")
    boolean tensors;

    @Override
    public Integer call() throws Exception {
        Path dir = model.resolve();
        boolean gguf = GgufFile.looksLikeGguf(dir);
        try (TensorStore store = gguf ? GgufStore.open(dir) : SafetensorsStore.open(dir)) {
            ConfigReader cfg = gguf ? GgufModelConfig.toConfig(((GgufStore) store).file(), ((GgufStore) store).ggufTensors()) : ConfigReader.of(dir.resolve("config.json"));
            System.out.println("model: " + dir);
            if (gguf) printGgufMetadata(((GgufStore) store).file());
            System.out.println(gguf ? "config (from GGUF metadata):" : "config.json:");
            System.out.println(Jsons.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(cfg.node()).indent(2).stripTrailing());
            Map<String, long[]> byDtype = new TreeMap<>();
            long params = 0, bytes = 0;
            for (TensorInfo t : store.all()) {
                long[] agg = byDtype.computeIfAbsent(t.dtypeName(), k -> new long[2]);
                agg[0] += t.elementCount();
                agg[1] += t.data().byteSize();
                params += t.elementCount();
                bytes += t.data().byteSize();
            }
            System.out.printf("weights: %s%n  %d tensors, %,d parameters, %.1f MiB%n", store.source(), store.all().size(), params, bytes / 1048576.0);
            byDtype.forEach((k, v) -> System.out.printf("  %-5s %,d parameters%n", k, v[0]));
            if (tensors) {
                System.out.printf("%n%-64s %-5s %s%n", "tensor", "dtype", "shape");
                store.all().stream().sorted(java.util.Comparator.comparing(TensorInfo::name))
                        .forEach(t -> System.out.printf("%-64s %-5s %s%n", t.name(), t.dtypeName(), t.shapeString()));
            }
        }
        return 0;
    }

    /** GGUF metadata, one key a line; long arrays (the vocabulary) are summarized. */
    private static void printGgufMetadata(GgufFile f) {
        System.out.println("GGUF v" + f.version() + " metadata:");
        f.metadata().forEach((k, v) -> {
            String shown;
            if (v.value() instanceof GgufArray a) {
                shown = a.elementType() + "[" + a.size() + "]" + (a.size() <= 8 ? " " + a.values() : "");
            } else {
                String text = String.valueOf(v.value());
                shown = text.length() > 80 ? text.substring(0, 77).replace("\n", " ") + "..." : text;
            }
            System.out.printf("  %-48s %s%n", k, shown.replace("\n", "\\n"));
        });
    }
}
