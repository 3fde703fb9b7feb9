package dev.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Reading bodies within a size limit and writing JSON and errors over the JDK's HttpExchange. */
final class HttpIo {
    static final ObjectMapper JSON = new ObjectMapper();

    private HttpIo() {}

    /**
     * Past the limit, up to this much more of the body is read and thrown away so the client (still
     * sending) reads the 413 instead of a connection reset; anything bigger just gets the connection closed.
     */
    private static final long DRAIN_LIMIT = 16L << 20;

    /** The body as JSON; 413 past maxBytes, 400 when it is not a JSON object. */
    static JsonNode readJsonObject(HttpExchange ex, long maxBytes) throws IOException {
        long declared = -1;
        String header = ex.getRequestHeaders().getFirst("Content-Length");
        if (header != null) {
            try {
                declared = Long.parseLong(header.trim());
            } catch (NumberFormatException e) {
                throw ApiException.invalid(null, "Content-Length is not a number");
            }
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = ex.getRequestBody()) {
            if (declared > maxBytes) {
                drain(in);
                throw tooLarge(maxBytes);
            }
            byte[] chunk = new byte[16384];
            for (int n; (n = in.read(chunk)) > 0; ) {
                buf.write(chunk, 0, n);
                if (buf.size() > maxBytes) {
                    drain(in);
                    throw tooLarge(maxBytes);
                }
            }
        }
        JsonNode node;
        try {
            node = JSON.readTree(buf.toByteArray());
        } catch (IOException e) {
            String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw ApiException.invalid(null, "The request body is not valid JSON: " + why);
        }
        if (node == null || !node.isObject()) throw ApiException.invalid(null, "The request body must be a JSON object");
        return node;
    }

    private static void drain(InputStream in) throws IOException {
        long skipped = 0;
        byte[] sink = new byte[16384];
        for (int n; skipped < DRAIN_LIMIT && (n = in.read(sink)) > 0; ) skipped += n;
    }

    private static ApiException tooLarge(long maxBytes) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "The request body is larger than the server's limit of " + maxBytes + " bytes", 0);
    }

    static void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    static void sendText(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    static ObjectNode errorBody(ApiException e) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("param", e.param());
        err.put("code", e.code());
        return root;
    }

    static void sendError(HttpExchange ex, ApiException e) throws IOException {
        if (e.retryAfterSeconds() > 0) ex.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfterSeconds()));
        sendJson(ex, e.status(), errorBody(e));
    }
}
