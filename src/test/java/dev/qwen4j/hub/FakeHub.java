package dev.qwen4j.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A Hugging Face hub on loopback for tests: the model-info API, the resolve endpoint (regular files
 * served directly, LFS files redirected to a separate "CDN" server on another port), Range
 * requests, an optional required token, and faults to inject: dropped connections, a server that
 * ignores Range, corrupted content, listings without blob ids.
 */
final class FakeHub implements AutoCloseable {
    static final String REPO = "qwen4j-test/tiny-qwen3";
    static final String COMMIT = "4f2a9c1e0b7d3a5c6e8f1b2d4a6c8e0f1a3b5c7d";
    static final Path FIXTURE = Path.of("src/test/resources/golden/models/tiny-qwen3");
    private static final List<String> LFS_FILES = List.of("model.safetensors", "tokenizer.json");
    private static final List<String> REGULAR_FILES =
            List.of("config.json", "generation_config.json", "tokenizer_config.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A file of the fake repository and the ETag the hub gives it. */
    record FakeFile(String path, byte[] content, boolean lfs, String etag) {
        static FakeFile regular(String path, byte[] content) {
            return new FakeFile(path, content, false, gitBlobSha1(content));
        }

        static FakeFile lfs(String path, byte[] content) {
            return new FakeFile(path, content, true, hex("SHA-256", content));
        }
    }

    /** One request either server received. */
    record Request(String server, String method, String path, String range, String authorization) {}

    private final Map<String, FakeFile> files = new LinkedHashMap<>();
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, Long> dropAfterBytes = new HashMap<>();
    private final Map<String, Integer> dropsLeft = new HashMap<>();
    private final Set<String> corrupted = new HashSet<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final HttpServer hub;
    private final HttpServer cdn;
    private volatile String requiredToken;
    private volatile boolean ignoreRange;
    private volatile boolean omitBlobInfo;
    private volatile boolean gated;
    private int apiFailuresLeft;
    private int apiFailureStatus;

    private FakeHub(List<FakeFile> repoFiles) throws IOException {
        repoFiles.forEach(f -> files.put(f.path(), f));
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        hub = HttpServer.create(loopback, 0);
        cdn = HttpServer.create(loopback, 0);
        hub.createContext("/", this::handleHub);
        cdn.createContext("/", this::handleCdn);
        hub.setExecutor(executor);
        cdn.setExecutor(executor);
        hub.start();
        cdn.start();
    }

    /** The tiny-qwen3 golden files, plus {@code extra} files. */
    static FakeHub serveTinyQwen3(FakeFile... extra) {
        List<FakeFile> repoFiles = new ArrayList<>(TinyQwen3.FILES);
        repoFiles.addAll(List.of(extra));
        try {
            return new FakeHub(repoFiles);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fake hub", e);
        }
    }

    /** Just these files (a repository of GGUF files, say). */
    static FakeHub serve(FakeFile... files) {
        try {
            return new FakeHub(new ArrayList<>(List.of(files)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fake hub", e);
        }
    }

    static byte[] fixture(String name) {
        try {
            return Files.readAllBytes(FIXTURE.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    FakeFile file(String path) {
        return files.get(path);
    }

    List<FakeFile> files() {
        return List.copyOf(files.values());
    }

    // ---- faults and settings ----

    void requireToken(String token) {
        requiredToken = token;
    }

    /** With {@link #requireToken}: refuses other callers the way the hub refuses them a gated repo. */
    void gate() {
        gated = true;
    }

    /** The next {@code times} model-info requests fail with {@code status}. */
    synchronized void failModelInfo(int status, int times) {
        apiFailureStatus = status;
        apiFailuresLeft = times;
    }

    void ignoreRange() {
        ignoreRange = true;
    }

    /** Lists files with {@code rfilename} only, so clients must ask for each file's ETag. */
    void omitBlobInfo() {
        omitBlobInfo = true;
    }

    /** The next {@code times} downloads of the file stop after {@code bytes} bytes. */
    synchronized void dropConnection(String path, long bytes, int times) {
        dropAfterBytes.put(path, bytes);
        dropsLeft.put(path, times);
    }

    /** Serves the file with one byte changed, under its true ETag and size. */
    synchronized void corrupt(String path) {
        corrupted.add(path);
    }

    void stop() {
        hub.stop(0);
        cdn.stop(0);
    }

    @Override
    public void close() {
        stop();
        executor.shutdownNow();
    }

    // ---- what was asked ----

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized void clearRequests() {
        requests.clear();
    }

    /** Requests for file content: resolve requests on the hub plus all CDN requests. */
    synchronized List<Request> downloads() {
        return requests.stream()
                .filter(r -> r.method().equals("GET") && (r.server().equals("cdn") || r.path().contains("/resolve/")))
                .toList();
    }

    // ---- hub ----

    private void handleHub(HttpExchange exchange) throws IOException {
        record(exchange, "hub");
        String path = URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
        if (requiredToken != null && !("Bearer " + requiredToken).equals(authorization(exchange))) {
            refuse(exchange);
            return;
        }
        String apiPrefix = "/api/models/" + REPO + "/revision/";
        String resolvePrefix = "/" + REPO + "/resolve/";
        if (path.startsWith(apiPrefix) && takeApiFailure()) {
            sendEmpty(exchange, apiFailureStatus);
        } else if (path.startsWith(apiPrefix)) {
            serveModelInfo(exchange, path.substring(apiPrefix.length()));
        } else if (path.startsWith(resolvePrefix)) {
            serveResolve(exchange, path.substring(resolvePrefix.length()));
        } else {
            exchange.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
            exchange.getResponseHeaders().set("X-Error-Message", "Repository not found");
            sendEmpty(exchange, 404);
        }
    }

    private void refuse(HttpExchange exchange) throws IOException {
        var headers = exchange.getResponseHeaders();
        if (gated) {
            headers.set("X-Error-Code", "GatedRepo");
            headers.set("X-Error-Message", "Access to model " + REPO + " is restricted.");
            sendEmpty(exchange, authorization(exchange) == null ? 401 : 403);
        } else {
            headers.set("X-Error-Message", "Invalid credentials in Authorization header");
            sendEmpty(exchange, 401);
        }
    }

    private synchronized boolean takeApiFailure() {
        if (apiFailuresLeft <= 0) return false;
        apiFailuresLeft--;
        return true;
    }

    private void serveModelInfo(HttpExchange exchange, String revision) throws IOException {
        if (!isKnownRevision(revision)) {
            revisionNotFound(exchange, revision);
            return;
        }
        ObjectNode info = JSON.createObjectNode();
        info.put("id", REPO);
        info.put("sha", COMMIT);
        ArrayNode siblings = info.putArray("siblings");
        for (FakeFile file : files.values()) {
            ObjectNode sibling = siblings.addObject();
            sibling.put("rfilename", file.path());
            if (omitBlobInfo) continue;
            if (file.lfs()) {
                String pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + file.etag()
                        + "\nsize " + file.content().length + "\n";
                sibling.put("blobId", gitBlobSha1(pointer.getBytes(StandardCharsets.UTF_8)));
                sibling.put("size", file.content().length);
                ObjectNode lfs = sibling.putObject("lfs");
                lfs.put("sha256", file.etag());
                lfs.put("size", file.content().length);
                lfs.put("pointerSize", pointer.length());
            } else {
                sibling.put("blobId", file.etag());
                sibling.put("size", file.content().length);
            }
        }
        byte[] body = JSON.writeValueAsBytes(info);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private void serveResolve(HttpExchange exchange, String revisionAndPath) throws IOException {
        int slash = revisionAndPath.indexOf('/');
        String revision = slash < 0 ? revisionAndPath : revisionAndPath.substring(0, slash);
        String filePath = slash < 0 ? "" : revisionAndPath.substring(slash + 1);
        if (!isKnownRevision(revision)) {
            revisionNotFound(exchange, revision);
            return;
        }
        FakeFile file = files.get(filePath);
        if (file == null) {
            exchange.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
            sendEmpty(exchange, 404);
            return;
        }
        var headers = exchange.getResponseHeaders();
        headers.set("X-Repo-Commit", COMMIT);
        if (file.lfs()) {
            headers.set("X-Linked-Etag", "\"" + file.etag() + "\"");
            headers.set("X-Linked-Size", Long.toString(file.content().length));
            headers.set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/" + file.etag()
                    + "?signature=presigned");
            sendEmpty(exchange, 302);
        } else {
            headers.set("ETag", "\"" + file.etag() + "\"");
            serveContent(exchange, file);
        }
    }

    private boolean isKnownRevision(String revision) {
        return revision.equals("main") || revision.equals(COMMIT);
    }

    private static void revisionNotFound(HttpExchange exchange, String revision) throws IOException {
        exchange.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
        exchange.getResponseHeaders().set("X-Error-Message", "Invalid rev id: " + revision);
        sendEmpty(exchange, 404);
    }

    // ---- CDN ----

    private void handleCdn(HttpExchange exchange) throws IOException {
        record(exchange, "cdn");
        String path = exchange.getRequestURI().getPath();
        FakeFile file = files.values().stream().filter(f -> path.equals("/cdn/" + f.etag())).findFirst().orElse(null);
        if (file == null) {
            sendEmpty(exchange, 404);
            return;
        }
        if (authorization(exchange) != null) {
            // Like S3 with a presigned URL: a second authentication mechanism is an error.
            sendEmpty(exchange, 400);
            return;
        }
        serveContent(exchange, file);
    }

    // ---- content, with Range and faults ----

    private void serveContent(HttpExchange exchange, FakeFile file) throws IOException {
        byte[] content = file.content();
        long dropAfter;
        synchronized (this) {
            if (corrupted.contains(file.path())) {
                content = content.clone();
                content[content.length / 2] ^= 0x5A;
            }
            dropAfter = takeDrop(file.path());
        }
        int start = 0;
        String range = exchange.getRequestHeaders().getFirst("Range");
        int status = 200;
        if (range != null && !ignoreRange) {
            start = Integer.parseInt(range.replaceFirst("^bytes=(\\d+)-$", "$1"));
            if (start >= content.length) {
                exchange.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                sendEmpty(exchange, 416);
                return;
            }
            status = 206;
            exchange.getResponseHeaders().set("Content-Range",
                    "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
        }
        int length = content.length - start;
        exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        OutputStream out = exchange.getResponseBody();
        if (dropAfter >= 0 && dropAfter < length) {
            out.write(content, start, (int) dropAfter);
            out.flush();
            // Escaping the handler makes the server close the connection mid-body.
            throw new IOException("fake hub drops the connection after " + dropAfter + " bytes");
        }
        try (out) {
            out.write(content, start, length);
        }
    }

    private long takeDrop(String path) {
        int left = dropsLeft.getOrDefault(path, 0);
        if (left <= 0) return -1;
        dropsLeft.put(path, left - 1);
        return dropAfterBytes.get(path);
    }

    // ---- helpers ----

    private synchronized void record(HttpExchange exchange, String server) {
        requests.add(new Request(server, exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestHeaders().getFirst("Range"), authorization(exchange)));
    }

    private static String authorization(HttpExchange exchange) {
        return exchange.getRequestHeaders().getFirst("Authorization");
    }

    private static void sendEmpty(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    static String gitBlobSha1(byte[] content) {
        byte[] header = ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + content.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(content, 0, all, header.length, content.length);
        return hex("SHA-1", all);
    }

    static String hex(String algorithm, byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The golden tiny-qwen3 files, read and hashed once per test run. */
    private static final class TinyQwen3 {
        static final List<FakeFile> FILES = load();

        private static List<FakeFile> load() {
            List<FakeFile> files = new ArrayList<>();
            for (String name : REGULAR_FILES) files.add(FakeFile.regular(name, fixture(name)));
            for (String name : LFS_FILES) files.add(FakeFile.lfs(name, fixture(name)));
            return List.copyOf(files);
        }
    }
}
