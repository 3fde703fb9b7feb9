package dev.qwen4j.cli;

import dev.qwen4j.hub.ConsoleProgress;
import dev.qwen4j.hub.HubClient;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Downloads a model repository into the Hugging Face cache (shared with Python tools). */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = "Download a model from the Hugging Face hub (HF_ENDPOINT, HF_TOKEN, HF_HOME honoured).")
final class PullCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REPO", description = "Repository id, e.g. Qwen/Qwen3-0.6B; REPO:TAG downloads one "
            + "quantization of a GGUF repository, e.g. Qwen/Qwen3-8B-GGUF:Q4_K_M (all parts of a split one).")
    String repo;

    @Option(names = "--revision", paramLabel = "REV", description = "Branch, tag or commit (default main).")
    String revision;

    @Option(names = "--include", paramLabel = "GLOB", description = "Only files matching (repeatable), e.g. '*.json'.")
    List<String> include;

    @Override
    public Integer call() {
        int colon = repo.lastIndexOf(':');
        if (colon > 0) {
            if (include != null) throw new UsageError("--include does not go with REPO:TAG, which picks the GGUF files itself");
            System.out.println(HubClient.fromEnvironment().pullGguf(repo.substring(0, colon), repo.substring(colon + 1), revision,
                    new ConsoleProgress()));
            return 0;
        }
        Path snapshot = HubClient.fromEnvironment().pull(repo, revision, include, new ConsoleProgress());
        System.out.println(snapshot);
        return 0;
    }
}
