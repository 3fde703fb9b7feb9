package dev.qwen4j.cli;

import dev.qwen4j.format.gguf.GgufConverter;
import dev.qwen4j.format.quant.QuantType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes a model folder as a GGUF file, quantized like llama-quantize (or in a float type). */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Convert a model folder to a GGUF file: q8_0, q6_k, q5_k_m, q5_0, q4_k_m, q4_0, iq4_xs, iq4_nl, q3_k_m (llama.cpp's mixes), bf16, f16 or f32.")
final class QuantizeCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "q8_0, q6_k, q5_k_m, q5_0, q4_k_m, q4_0, iq4_xs, iq4_nl, q3_k_m, bf16, f16 or f32.")
    String type;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.gguf")
    Path output;

    @Option(names = {"-q", "--quiet"}, description = "Do not list the tensors as they are written.")
    boolean quiet;

    @Override
    public Integer call() {
        QuantType t;
        try {
            t = QuantType.parse(type);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--type: " + e.getMessage());
        }
        Path dir = model.resolve();
        if (!Files.isDirectory(dir)) throw new UsageError("--model must be a model folder (config.json + safetensors)");
        long start = System.nanoTime();
        GgufConverter.convert(dir, t, output, quiet ? null : line -> System.err.println("  " + line));
        System.err.printf(Locale.ROOT, "wrote %s (%s, %.1f MB) in %.1f s%n", output, t.name().toLowerCase(Locale.ROOT),
                output.toFile().length() / 1e6, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
