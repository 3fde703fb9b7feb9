package dev.qwen4j.cli;

import dev.qwen4j.hub.ConsoleProgress;
import dev.qwen4j.hub.HubClient;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * --model: a local folder, a GGUF file, or a Hugging Face repo id (pulled into the HF cache when not there yet);
 * {@code org/name:TAG} pulls just the GGUF file of that quantization from a repository of GGUF files.
 */
public final class ModelOption {
    /** The launcher points this at the bundled tiny model so commands work offline out of the box. */
    static final String DEFAULT_ENV = "QWEN4J_DEFAULT_MODEL";

    @Option(names = {"-m", "--model"}, paramLabel = "DIR|REPO",
            description = "Model folder, GGUF file, or a Hugging Face repo id such as Qwen/Qwen3-0.6B; org/name:TAG takes one GGUF "
                    + "quantization from a GGUF repo, e.g. Qwen/Qwen3-8B-GGUF:Q4_K_M (default: the bundled tiny model).")
    String model;

    public Path resolve() {
        String m = model != null && !model.isBlank() ? model : System.getenv(DEFAULT_ENV);
        if (m == null || m.isBlank()) throw new UsageError("--model is required (no bundled default model found)");
        Path p = Path.of(m);
        if (Files.isDirectory(p) || Files.isRegularFile(p)) return p; // a folder or a .gguf file
        int colon = m.lastIndexOf(':');
        if (colon > 0 && HubClient.looksLikeRepoId(m.substring(0, colon))) {
            String repo = m.substring(0, colon), tag = m.substring(colon + 1);
            HubClient hub = HubClient.fromEnvironment();
            System.err.println("Looking for the " + tag + " GGUF of " + repo + " ...");
            return hub.pullGguf(repo, tag, null, new ConsoleProgress());
        }
        if (HubClient.looksLikeRepoId(m)) {
            HubClient hub = HubClient.fromEnvironment();
            if (hub.findCached(m, null).isEmpty()) System.err.println("Pulling " + m + " from " + hub.endpoint() + " ...");
            return hub.pullModel(m, new ConsoleProgress()); // a repo of GGUF files: its Q4_K_M, as llama.cpp's -hf
        }
        throw new UsageError("--model " + m + ": no such folder, and not a hub repo id (org/name)");
    }
}
