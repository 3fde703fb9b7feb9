package dev.qwen4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * HTTP to the hub: builds its URLs, authenticates with {@code Authorization: Bearer <token>}, and
 * follows redirects itself so the token never leaves the hub's own origin (CDN URLs are presigned
 * and would reject it).
 */
final class HubHttp {
    private static final int MAX_REDIRECTS = 10;
    private static final String USER_AGENT = "qwen4j/0.1 (java/" + Runtime.version().feature() + ")";

    /** Which redirects {@link #send} follows. */
    enum Redirects {
        /** All of them, across hosts: for downloads, which the hub sends on to its CDN. */
        ALL,
        /**
         * Only those within the current origin (a renamed repository): the hub's answer about a
         * file's metadata is the redirect to the CDN itself, as huggingface_hub reads it.
         */
        SAME_ORIGIN
    }

    private final HttpClient client;
    private final URI endpoint;
    private final String token;
    private final Duration responseTimeout;

    HubHttp(URI endpoint, String token, Duration timeout) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.token = token;
        this.responseTimeout = timeout;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
    }

    URI endpoint() {
        return endpoint;
    }

    boolean hasToken() {
        return token != null;
    }

    /** {@code {endpoint}/api/models/{repo}/revision/{revision}?blobs=true}. */
    URI modelInfoUri(RepoId repo, String revision) {
        return URI.create(endpoint + "/api/models/" + repo + "/revision/" + encodeSegment(revision) + "?blobs=true");
    }

    /** {@code {endpoint}/{repo}/resolve/{revision}/{path}}. */
    URI resolveUri(RepoId repo, String revision, String path) {
        String encodedPath = Arrays.stream(path.split("/", -1)).map(HubHttp::encodeSegment)
                .collect(Collectors.joining("/"));
        return URI.create(endpoint + "/" + repo + "/resolve/" + encodeSegment(revision) + "/" + encodedPath);
    }

    /**
     * Sends a request without body and returns the response whose status is not a followed
     * redirect. The caller closes the body.
     *
     * @throws HubException (PROTOCOL) on a redirect loop
     */
    HttpResponse<InputStream> send(String method, URI uri, Map<String, String> headers, Redirects redirects)
            throws IOException, InterruptedException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .timeout(responseTimeout)
                    .header("User-Agent", USER_AGENT);
            if (token != null && sameOrigin(current, endpoint)) {
                request.header("Authorization", "Bearer " + token);
            }
            headers.forEach(request::header);
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            URI next = redirectTarget(response, current);
            if (next == null || (redirects == Redirects.SAME_ORIGIN && !sameOrigin(next, current))) {
                return response;
            }
            response.body().close();
            if (hop == MAX_REDIRECTS) {
                throw new HubException(HubException.Reason.PROTOCOL,
                        "More than " + MAX_REDIRECTS + " redirects fetching " + uri);
            }
            current = next;
        }
    }

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI redirectTarget(HttpResponse<?> response, URI current) {
        if (!isRedirect(response.statusCode())) {
            return null;
        }
        String location = response.headers().firstValue("Location").orElse(null);
        if (location == null) {
            return null;
        }
        try {
            return current.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new HubException(HubException.Reason.PROTOCOL,
                    "Unusable redirect from " + current + " to '" + location + "'", e);
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI uri) {
        if (uri.getPort() != -1) return uri.getPort();
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** Percent-encodes one path segment (like Python's {@code quote(s, safe="")}). */
    static String encodeSegment(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
