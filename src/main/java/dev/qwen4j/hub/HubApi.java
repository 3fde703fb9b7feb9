package dev.qwen4j.hub;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.Map;

/** The hub's metadata calls: what a revision holds, and what one file is. */
final class HubApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HubHttp http;
    private final RetryPolicy retry;

    HubApi(HubHttp http, RetryPolicy retry) {
        this.http = http;
        this.retry = retry;
    }

    /**
     * The commit a revision points at and its files, from
     * {@code GET /api/models/{repo}/revision/{revision}?blobs=true}.
     */
    RepoRevision revision(HubRequestContext context) {
        return retry.run(context, () -> {
            HttpResponse<InputStream> response = http.send("GET",
                    http.modelInfoUri(context.repo(), context.revision()), Map.of(), HubHttp.Redirects.ALL);
            if (response.statusCode() != 200) {
                throw HubErrors.fromResponse(response, context);
            }
            try (InputStream body = response.body()) {
                JsonNode info = JSON.readTree(body);
                return RepoRevision.fromModelInfo(info);
            } catch (JacksonException | IllegalArgumentException malformed) {
                throw new HubException(HubException.Reason.PROTOCOL, "Malformed model info from " + http.endpoint()
                        + " for " + context.describe() + ": " + malformed.getMessage(), malformed);
            }
        });
    }

    /**
     * A file's ETag and size from {@code HEAD /{repo}/resolve/{commit}/{path}}, for listings that
     * do not carry them: {@code X-Linked-Etag} / {@code X-Linked-Size} (LFS files, sent on the
     * hub's redirect to the CDN) or {@code ETag} / {@code Content-Length}.
     */
    RepoFile describe(HubRequestContext context, RepoFile file) {
        return retry.run(context, () -> {
            HttpResponse<InputStream> response = http.send("HEAD",
                    http.resolveUri(context.repo(), context.revision(), file.path()), Map.of(),
                    HubHttp.Redirects.SAME_ORIGIN);
            int status = response.statusCode();
            if (status != 200 && !HubHttp.isRedirect(status)) {
                throw HubErrors.fromResponse(response, context);
            }
            response.body().close();
            HttpHeaders headers = response.headers();
            String etag = headers.firstValue("X-Linked-Etag").or(() -> headers.firstValue("ETag"))
                    .orElseThrow(() -> new HubException(HubException.Reason.PROTOCOL,
                            "The hub sent no ETag for " + context.describe()));
            long size = headers.firstValueAsLong("X-Linked-Size").orElse(file.size() != RepoFile.UNKNOWN_SIZE
                    ? file.size()
                    : headers.firstValueAsLong("Content-Length").orElse(RepoFile.UNKNOWN_SIZE));
            return new RepoFile(file.path(), size, parseEtag(context, etag));
        });
    }

    private static Etag parseEtag(HubRequestContext context, String header) {
        try {
            return Etag.fromHeader(header);
        } catch (IllegalArgumentException e) {
            throw new HubException(HubException.Reason.PROTOCOL,
                    "The hub sent an unusable ETag for " + context.describe() + ": " + header, e);
        }
    }
}
