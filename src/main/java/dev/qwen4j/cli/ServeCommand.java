package dev.qwen4j.cli;

import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.server.HttpWarmup;
import dev.qwen4j.server.OpenAiServer;
import dev.qwen4j.server.ServedModel;
import dev.qwen4j.server.ServingWarmup;
import dev.qwen4j.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `qwen4j serve`: the OpenAI-compatible HTTP server with continuous batching. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/models, /health, /metrics).")
final class ServeCommand implements Callable<Integer> {
    static final String API_KEY_ENV = "QWEN4J_API_KEY";

    @Mixin
    ModelOption model;

    @Mixin
    EngineOptions engine;

    @Option(names = "--allow-remote-images", description = "Fetch http(s) image_url images (never from internal addresses; off by default).")
    boolean allowRemoteImages;

    @Option(names = "--max-image-bytes", paramLabel = "N", defaultValue = "20971520", description = "Largest image per part (default ${DEFAULT-VALUE}).")
    long maxImageBytes;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default ${DEFAULT-VALUE}; 0.0.0.0 for all).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require Authorization: Bearer KEY on /v1/* (default: $" + API_KEY_ENV + ").")
    String apiKey;

    @Option(names = "--served-model-name", paramLabel = "NAME", description = "Model id clients use (default: the --model argument).")
    String servedName;

    @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "600", description = "End requests running longer (default ${DEFAULT-VALUE}).")
    long requestTimeout;

    @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "4194304", description = "Largest request body (default ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--shutdown-grace", paramLabel = "SECONDS", defaultValue = "30",
            description = "On SIGTERM/Ctrl-C, let running requests finish this long (default ${DEFAULT-VALUE}).")
    long shutdownGrace;

    @Option(names = "--no-warmup",
            description = "Listen at once, without first running a few short requests (text, and an image for a vision model) so the first clients do not wait for the JIT.")
    boolean noWarmup;

    @Override
    public Integer call() throws Exception {
        Path dir = model.resolve();
        String key = apiKey != null ? apiKey : System.getenv(API_KEY_ENV);
        String name = servedName != null ? servedName : model.model != null ? model.model : dir.getFileName().toString();
        ServerConfig cfg;
        try {
            cfg = new ServerConfig(host, port, key, name, maxBody, Duration.ofSeconds(requestTimeout), Duration.ofSeconds(shutdownGrace));
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        Qwen3Runtime rt = Qwen3Runtime.open(dir);
        engine.prepare(rt.model());
        ServedModel served = ServedModel.start(name, rt, engine.config(), allowRemoteImages, maxImageBytes);
        try {
            engine.start(served.engine());
        } catch (UsageError e) {
            served.engine().close();
            rt.close();
            throw e;
        }
        if (!noWarmup) {
            try {
                warmUp(served);
                warmUpHttp(served, cfg);
            } catch (Exception | Error e) {
                served.engine().close();
                rt.close();
                throw e;
            }
        }
        OpenAiServer server = OpenAiServer.start(served, cfg);
        System.err.printf("qwen4j: serving %s at %s/v1 (max model len %d, KV cache %d MiB%s)%n", name, server.baseUrl(),
                served.engine().maxModelLen(), served.engine().config().kvBudgetBytes() >> 20, key != null ? ", API key required" : "");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("qwen4j: shutting down (finishing running requests)...");
            server.close();
            rt.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /**
     * {@link HttpWarmup} on a private loopback port, its time on stderr. A failure there only costs the first client some
     * JIT time (the engine warm-up has run the model already), so it is reported and serving goes on.
     */
    static void warmUpHttp(ServedModel served, ServerConfig cfg) throws InterruptedException {
        try {
            HttpWarmup.Report r = HttpWarmup.run(served, cfg);
            System.err.println(r.bodies().isEmpty() ? "HTTP warm-up skipped: its prompt does not fit the max model length"
                    : String.format("warmed up over HTTP: %d requests in %.1f s", r.bodies().size(), r.nanos() / 1e9));
        } catch (IOException | RuntimeException e) {
            System.err.println("qwen4j: HTTP warm-up failed, serving without it: " + e.getMessage());
            served.engine().resetMetrics();
        }
    }

    /** {@link ServingWarmup}, each round's time on stderr; a failure stops the server before it listens (the caller closes). */
    static void warmUp(ServedModel served) throws InterruptedException {
        List<ServingWarmup.Step> steps;
        try {
            steps = ServingWarmup.run(served);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the warm-up request failed (--no-warmup skips it): " + e.getMessage(), e);
        }
        served.engine().resetMetrics(); // /metrics and Retry-After count clients' requests only
        StringBuilder line = new StringBuilder("warmed up:");
        for (ServingWarmup.Step s : steps) {
            line.append(String.format(" %s (%d+%d tokens) %.1f s;", s.what(), s.report().promptTokens(), s.report().generatedTokens(),
                    s.report().nanos() / 1e9));
        }
        System.err.println(steps.isEmpty() ? "warm-up skipped: its prompt does not fit the max model length" : line.substring(0, line.length() - 1));
    }
}
