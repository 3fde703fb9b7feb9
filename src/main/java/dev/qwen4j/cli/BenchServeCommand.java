package dev.qwen4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.bench.SyntheticModel;
import dev.qwen4j.server.OpenAiServer;
import dev.qwen4j.server.ServedModel;
import dev.qwen4j.server.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `qwen4j bench-serve`: drives the HTTP server with concurrent streaming completions (random prompt ids,
 * fixed output length with ignore_eos) and reports aggregate output tokens/s and time to first token.
 */
@Command(name = "bench-serve", mixinStandardHelpOptions = true,
        description = "Measure serving throughput and TTFT at several concurrency levels over HTTP.")
final class BenchServeCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Mixin
    EngineOptions engine;

    @Option(names = "--synthetic", paramLabel = "SHAPE", description = "Serve a real-shaped random model: qwen3-0.6b, qwen3-1.7b, qwen3-4b.")
    String synthetic;

    @Option(names = "--url", paramLabel = "URL", description = "Benchmark a running server (e.g. http://127.0.0.1:8080) instead of starting one.")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Bearer key for --url.")
    String apiKey;

    @Option(names = {"-c", "--concurrency"}, split = ",", defaultValue = "1,4,16", paramLabel = "N,N,...",
            description = "Concurrent streams per level (default ${DEFAULT-VALUE}).")
    int[] concurrency;

    @Option(names = "--no-warmup",
            description = "Measure from a cold start: skip the warm-up requests `serve` runs before it listens (the bench's own single request still runs; in-process server only, not with --url).")
    boolean noWarmup;

    @Option(names = "--requests", paramLabel = "N", description = "Requests per level (default: 2 × concurrency, at least 4).")
    Integer requests;

    @Option(names = "--prompt-tokens", defaultValue = "64", paramLabel = "N", description = "Prompt length (default ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--max-tokens", defaultValue = "32", paramLabel = "N", description = "Output tokens per request (default ${DEFAULT-VALUE}).")
    int maxTokens;

    /** One request: time to first token, output tokens, and mean time between tokens after the first. */
    record Sample(long ttftNanos, int outputTokens, double interTokenMillis) {}

    @Override
    public Integer call() throws Exception {
        OpenAiServer server = null;
        Qwen3Runtime rt = null;
        String base = url;
        String modelName;
        try {
            if (base == null) {
                Path dir = synthetic != null ? withTokenizer(SyntheticModel.ensure(synthetic, SyntheticModel.defaultCacheDir())) : model.resolve();
                rt = Qwen3Runtime.open(dir);
                engine.prepare(rt.model());
                modelName = synthetic != null ? synthetic : dir.getFileName().toString();
                ServedModel served = ServedModel.start(modelName, rt, engine.config());
                try {
                    engine.start(served.engine());
                } catch (UsageError e) {
                    served.engine().close();
                    throw e;
                }
                ServerConfig cfg = ServerConfig.defaults(modelName).withPort(0).withRequestTimeout(Duration.ofHours(1));
                if (!noWarmup) {
                    // what `serve` runs before it listens: without it the first batched level measured the JIT (Qwen3-0.6B
                    // Q4_K_M, concurrency 2: TTFT p99 4.5 s while the two-vector kernels ran interpreted)
                    try {
                        ServeCommand.warmUp(served);
                        ServeCommand.warmUpHttp(served, cfg);
                    } catch (Exception | Error e) {
                        served.engine().close();
                        throw e;
                    }
                }
                server = OpenAiServer.start(served, cfg);
                base = server.baseUrl();
            } else {
                modelName = null;
            }
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            System.out.printf("bench-serve: %s, prompt %d tokens, output %d tokens per request (shared CPU: expect noise)%n",
                    base, promptTokens, maxTokens);
            System.out.printf("%-12s %-9s %-14s %-12s %-12s %-12s %-8s%n", "concurrency", "requests", "output tok/s", "TTFT p50 ms",
                    "TTFT p99 ms", "ITL p50 ms", "wall s");
            run(client, base, modelName, 1, 1, new SplittableRandom(0)); // warm-up: JIT and page-in
            SplittableRandom rnd = new SplittableRandom(42);
            for (int c : concurrency) {
                int n = requests != null ? requests : Math.max(4, 2 * c);
                long t0 = System.nanoTime();
                List<Sample> samples = run(client, base, modelName, c, n, rnd);
                double wall = (System.nanoTime() - t0) / 1e9;
                long out = samples.stream().mapToLong(Sample::outputTokens).sum();
                double[] ttft = samples.stream().mapToDouble(s -> s.ttftNanos() / 1e6).sorted().toArray();
                double[] itl = samples.stream().mapToDouble(Sample::interTokenMillis).filter(x -> x > 0).sorted().toArray();
                System.out.printf("%-12d %-9d %-14.1f %-12.0f %-12.0f %-12.0f %-8.1f%n", c, n, out / wall, percentile(ttft, 50),
                        percentile(ttft, 99), percentile(itl, 50), wall);
            }
        } finally {
            if (server != null) server.close();
            if (rt != null) rt.close();
        }
        return 0;
    }

    private List<Sample> run(HttpClient client, String base, String modelName, int concurrency, int n, SplittableRandom rnd) throws Exception {
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Random ids: distinct prompts, so the prefix cache does not flatter the numbers.
            int[] ids = new int[promptTokens];
            for (int j = 0; j < ids.length; j++) ids[j] = rnd.nextInt(151643);
            prompts.add(ids);
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency, Thread.ofVirtual().factory())) {
            List<Future<Sample>> futures = new ArrayList<>();
            for (int[] p : prompts) futures.add(pool.submit(() -> one(client, base, modelName, p)));
            List<Sample> out = new ArrayList<>();
            for (Future<Sample> f : futures) out.add(f.get());
            return out;
        }
    }

    private Sample one(HttpClient client, String base, String modelName, int[] prompt) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        if (modelName != null) body.put("model", modelName);
        body.put("prompt", prompt);
        body.put("max_tokens", maxTokens);
        body.put("temperature", 0);
        body.put("ignore_eos", true);
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Jsons.write(body)));
        if (apiKey != null) req.header("Authorization", "Bearer " + apiKey);
        long t0 = System.nanoTime();
        HttpResponse<java.io.InputStream> resp = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (resp.statusCode() != 200) {
            throw new IOException("HTTP " + resp.statusCode() + ": " + new String(resp.body().readAllBytes(), StandardCharsets.UTF_8));
        }
        long first = 0, last = 0;
        int tokens = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("data: ") || line.equals("data: [DONE]")) continue;
                JsonNode chunk = Jsons.MAPPER.readTree(line.substring(6));
                if (chunk.has("error")) throw new IOException("stream error: " + chunk.get("error"));
                if (chunk.path("choices").size() > 0) {
                    last = System.nanoTime();
                    if (first == 0) first = last;
                }
                JsonNode usage = chunk.get("usage");
                if (usage != null && !usage.isNull()) tokens = usage.path("completion_tokens").asInt();
            }
        }
        double itl = tokens > 1 && last > first ? (last - first) / 1e6 / (tokens - 1) : 0;
        return new Sample(first == 0 ? 0 : first - t0, tokens, itl);
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /**
     * Synthetic folders hold weights only: serve them from a sibling folder that links the weights and
     * borrows the bundled model's tokenizer, leaving the shared synthetic cache untouched.
     */
    private static Path withTokenizer(Path dir) {
        String from = System.getenv(ModelOption.DEFAULT_ENV);
        if (from == null) throw new UsageError("the synthetic model needs a tokenizer: set " + ModelOption.DEFAULT_ENV + " to a model folder that has one");
        Path serving = dir.resolveSibling(dir.getFileName() + "-serving");
        try {
            Files.createDirectories(serving);
            for (String f : List.of("config.json", "model.safetensors")) {
                Path link = serving.resolve(f);
                if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, dir.resolve(f).toAbsolutePath());
            }
            for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
                Path src = Path.of(from).resolve(f);
                if (Files.isRegularFile(src)) Files.copy(src, serving.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return serving;
    }

}
