package dev.qwen4j.server;

import java.time.Duration;

/**
 * The HTTP side's settings.
 *
 * @param host            address to bind (127.0.0.1 keeps the server local)
 * @param port            0 picks a free port
 * @param apiKey          when non-null, /v1/* requests need {@code Authorization: Bearer <key>}
 * @param servedModelName the model id clients name in requests and /v1/models lists
 * @param maxBodyBytes    larger request bodies get 413
 * @param requestTimeout  a request still generating after this is ended
 * @param shutdownGrace   how long a graceful shutdown lets running requests finish
 */
public record ServerConfig(String host, int port, String apiKey, String servedModelName, long maxBodyBytes,
                           Duration requestTimeout, Duration shutdownGrace) {
    public ServerConfig {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in [0, 65535] but was " + port);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be >= 1");
        if (apiKey != null && apiKey.isBlank()) apiKey = null;
    }

    /** Loopback, port 8080, no key, 4 MiB bodies, 10 min per request, 30 s shutdown grace. */
    public static ServerConfig defaults(String servedModelName) {
        return new ServerConfig("127.0.0.1", 8080, null, servedModelName, 4L << 20, Duration.ofMinutes(10), Duration.ofSeconds(30));
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, apiKey, servedModelName, maxBodyBytes, requestTimeout, shutdownGrace);
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(h, port, apiKey, servedModelName, maxBodyBytes, requestTimeout, shutdownGrace);
    }

    public ServerConfig withApiKey(String key) {
        return new ServerConfig(host, port, key, servedModelName, maxBodyBytes, requestTimeout, shutdownGrace);
    }

    public ServerConfig withMaxBodyBytes(long bytes) {
        return new ServerConfig(host, port, apiKey, servedModelName, bytes, requestTimeout, shutdownGrace);
    }

    public ServerConfig withRequestTimeout(Duration d) {
        return new ServerConfig(host, port, apiKey, servedModelName, maxBodyBytes, d, shutdownGrace);
    }

    public ServerConfig withShutdownGrace(Duration d) {
        return new ServerConfig(host, port, apiKey, servedModelName, maxBodyBytes, requestTimeout, d);
    }
}
