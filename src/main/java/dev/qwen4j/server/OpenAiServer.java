package dev.qwen4j.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The OpenAI-compatible HTTP server: the JDK's {@link HttpServer} with one virtual thread per exchange, so
 * a thousand idle streaming clients cost a thousand cheap threads and no callback plumbing (see README,
 * "Serving", for why this over Helidon/Javalin). Every handler error becomes an OpenAI-shaped JSON error,
 * and the server keeps serving.
 *
 * <pre>
 *   POST /v1/chat/completions   POST /v1/completions   GET /v1/models
 *   GET  /health                GET  /metrics
 * </pre>
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OpenAiServer.class.getName());

    static {
        // Slow-loris guard: the JDK server drops a connection whose request headers/body take longer than this.
        // Read once when the JDK's server config class loads, so it must be set before the first server starts.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) System.setProperty("sun.net.httpserver.maxReqTime", "60");
    }

    private final ServedModel served;
    private final ServerConfig config;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, LongAdder> httpCounts = new ConcurrentHashMap<>();
    private final ChatCompletionsEndpoint chat;
    private final CompletionsEndpoint completions;
    private volatile boolean closing;

    private OpenAiServer(ServedModel served, ServerConfig config) throws IOException {
        this.served = served;
        this.config = config;
        this.chat = new ChatCompletionsEndpoint(served, config);
        this.completions = new CompletionsEndpoint(served, config);
        this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 1024);
        http.setExecutor(executor);
        http.createContext("/", this::dispatch);
    }

    /** Binds and starts serving. */
    public static OpenAiServer start(ServedModel served, ServerConfig config) throws IOException {
        OpenAiServer s = new OpenAiServer(served, config);
        s.http.start();
        return s;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://" + config.host() + ":" + port();
    }

    public ServedModel served() {
        return served;
    }

    public ServerConfig config() {
        return config;
    }

    /** Stops accepting connections and ends the handler threads, leaving the engine running (for {@link HttpWarmup}). */
    void stopListening() {
        http.stop(0);
        executor.shutdownNow();
    }

    private void dispatch(HttpExchange ex) {
        String path = ex.getRequestURI().getPath();
        int status;
        try {
            status = route(ex, path);
        } catch (ApiException e) {
            status = e.status();
            trySendError(ex, e);
        } catch (IOException e) {
            status = 499; // the client went away (nginx's code for it); nothing more can be sent
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request to " + path + " failed", e);
            status = 500;
            trySendError(ex, new ApiException(500, "server_error", null, null, "Internal error: " + e, 0));
        } finally {
            ex.close();
        }
        String known = switch (path) {
            case "/v1/chat/completions", "/v1/completions", "/v1/models", "/health", "/metrics" -> path;
            default -> "other";
        };
        httpCounts.computeIfAbsent(known + " " + status, k -> new LongAdder()).increment();
    }

    private static void trySendError(HttpExchange ex, ApiException e) {
        try {
            HttpIo.sendError(ex, e);
        } catch (IOException | RuntimeException alreadyResponding) {
            // Headers were already sent (a stream) or the client left: nothing more to tell it.
        }
    }

    /** Handles one request and returns the HTTP status it got. */
    private int route(HttpExchange ex, String path) throws IOException {
        String method = ex.getRequestMethod();
        switch (path) {
            case "/health" -> {
                requireMethod(method, "GET");
                if (closing) throw new ApiException(503, "server_error", null, "shutting_down", "The server is shutting down", 1);
                HttpIo.sendText(ex, 200, "text/plain; charset=utf-8", "OK\n");
                return 200;
            }
            case "/metrics" -> {
                requireMethod(method, "GET");
                HttpIo.sendText(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                        PrometheusText.render(served.name(), served.engine().metrics(), served.engine().snapshot(), httpCountSnapshot()));
                return 200;
            }
            default -> {
            }
        }
        if (!path.startsWith("/v1/")) throw notFound(path);
        authorize(ex);
        switch (path) {
            case "/v1/models" -> {
                requireMethod(method, "GET");
                HttpIo.sendJson(ex, 200, models());
                return 200;
            }
            case "/v1/chat/completions" -> {
                requireMethod(method, "POST");
                chat.handle(ex);
                return 200;
            }
            case "/v1/completions" -> {
                requireMethod(method, "POST");
                completions.handle(ex);
                return 200;
            }
            default -> throw notFound(path);
        }
    }

    private static ApiException notFound(String path) {
        return new ApiException(404, "invalid_request_error", null, "not_found", "No route for " + path, 0);
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new ApiException(405, "invalid_request_error", null, "method_not_allowed", "Use " + expected + " for this path", 0);
        }
    }

    private void authorize(HttpExchange ex) {
        if (config.apiKey() == null) return;
        String header = ex.getRequestHeaders().getFirst("Authorization");
        String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
        // Constant-time comparison: response timing must not reveal how much of a guessed key was right.
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), config.apiKey().getBytes(StandardCharsets.UTF_8))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "authentication_error", null, "invalid_api_key",
                    header == null ? "Missing API key: send Authorization: Bearer <key>" : "Incorrect API key provided", 0);
        }
    }

    private ObjectNode models() {
        ObjectNode root = HttpIo.JSON.createObjectNode();
        root.put("object", "list");
        ObjectNode m = root.putArray("data").addObject();
        m.put("id", served.name());
        m.put("object", "model");
        m.put("created", served.createdSeconds());
        m.put("owned_by", "qwen4j");
        m.put("max_model_len", served.engine().maxModelLen());
        return root;
    }

    private Map<String, Long> httpCountSnapshot() {
        Map<String, Long> out = new TreeMap<>();
        httpCounts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /**
     * Graceful shutdown: /health turns 503 and new generation requests get 503, running ones may finish
     * within the configured grace, then the listener closes.
     */
    @Override
    public void close() {
        closing = true;
        served.engine().shutdown(config.shutdownGrace());
        http.stop(1);
        executor.shutdownNow();
    }
}
