package dev.qwen4j.hub;

import dev.qwen4j.hub.HubException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Turns failed hub requests into {@link HubException}s that say what went wrong and what to do.
 * The hub explains its refusals in the {@code X-Error-Code} header ({@code RepoNotFound},
 * {@code RevisionNotFound}, {@code EntryNotFound}, {@code GatedRepo}) and {@code X-Error-Message}.
 */
final class HubErrors {
    private static final int MAX_BODY_CHARS = 500;
    private static final String SET_TOKEN = "set HF_TOKEN (or HF_HUB_TOKEN) to an access token";

    private HubErrors() {}

    /** True for statuses worth retrying: rate limiting and temporary server trouble. */
    static boolean isTransient(int status) {
        return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /** The exception for an unsuccessful response; reads (a little of) and closes its body. */
    static HubException fromResponse(HttpResponse<InputStream> response, HubRequestContext context) {
        int status = response.statusCode();
        String code = response.headers().firstValue("X-Error-Code").orElse("");
        String hubSays = response.headers().firstValue("X-Error-Message").orElse(null);
        String body = readAndClose(response.body());
        if (hubSays == null && !body.isBlank()) {
            hubSays = body;
        }
        String detail = hubSays == null ? "" : " (hub: " + hubSays.strip() + ")";
        String what = context.describe();
        String tokenAdvice = context.hasToken()
                ? "the token in HF_TOKEN has no access to it"
                : "if it is private or gated, " + SET_TOKEN;

        return switch (code) {
            case "GatedRepo" -> new HubException(Reason.ACCESS_DENIED, context.repo() + " is a gated repository: accept"
                    + " its conditions at " + context.repoPage() + " and " + SET_TOKEN + " of that account"
                    + " [HTTP " + status + " for " + what + "]" + detail);
            case "RepoNotFound" -> new HubException(Reason.NOT_FOUND, "Repository " + context.repo() + " not found at "
                    + context.endpoint() + ": check the name; " + tokenAdvice + " [HTTP " + status + "]" + detail);
            case "RevisionNotFound" -> new HubException(Reason.NOT_FOUND, "Revision '" + context.revision()
                    + "' not found in " + context.repo() + ": check the branch, tag or commit [HTTP " + status + "]"
                    + detail);
            case "EntryNotFound" -> new HubException(Reason.NOT_FOUND, "File '" + context.file() + "' not found in "
                    + context.repo() + "@" + context.revision() + " [HTTP " + status + "]" + detail);
            default -> byStatus(status, context, tokenAdvice, detail);
        };
    }

    private static HubException byStatus(int status, HubRequestContext context, String tokenAdvice, String detail) {
        String what = context.describe();
        if (status == 401) {
            String advice = context.hasToken()
                    ? "the hub rejected the token: check HF_TOKEN (it may be expired or mistyped)"
                    : "the hub requires authentication: " + SET_TOKEN + " (create one at "
                            + context.endpoint() + "/settings/tokens)";
            return new HubException(Reason.AUTHENTICATION_REQUIRED,
                    "Unauthorized (HTTP 401) for " + what + ": " + advice + detail);
        }
        if (status == 403) {
            return new HubException(Reason.ACCESS_DENIED, "Access denied (HTTP 403) to " + what
                    + ": the repository is gated or private; accept its conditions at " + context.repoPage()
                    + " and " + SET_TOKEN + " of an account with access" + detail);
        }
        if (status == 404) {
            String message = context.file() == null
                    ? "Repository " + context.repo() + " or revision '" + context.revision() + "' not found at "
                            + context.endpoint() + " (HTTP 404): check the names; " + tokenAdvice
                    : "File '" + context.file() + "' not found in " + context.repo() + "@" + context.revision()
                            + " (HTTP 404)";
            return new HubException(Reason.NOT_FOUND, message + detail);
        }
        if (isTransient(status)) {
            return new HubException(Reason.NETWORK, "The hub at " + context.endpoint() + " is unavailable (HTTP "
                    + status + ") while fetching " + what + "; try again later" + detail);
        }
        return new HubException(Reason.PROTOCOL, "Unexpected HTTP " + status + " from the hub for " + what + detail);
    }

    /** A network failure (connection refused, reset, timed out, cut off). */
    static HubException network(HubRequestContext context, IOException cause) {
        return new HubException(Reason.NETWORK, "Network error while fetching " + context.describe() + " from "
                + context.endpoint() + ": " + describe(cause), cause);
    }

    static HubException interrupted(HubRequestContext context, InterruptedException cause) {
        Thread.currentThread().interrupt();
        return new HubException(Reason.NETWORK, "Interrupted while fetching " + context.describe(), cause);
    }

    static HubException cacheIo(HubRequestContext context, Path where, IOException cause) {
        return new HubException(Reason.CACHE_IO, "Cannot write " + context.describe() + " to the cache at " + where
                + ": " + describe(cause), cause);
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static String readAndClose(InputStream body) {
        try (body) {
            byte[] bytes = body.readNBytes(MAX_BODY_CHARS * 4);
            String text = new String(bytes, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
            return text.length() > MAX_BODY_CHARS ? text.substring(0, MAX_BODY_CHARS) + "..." : text;
        } catch (IOException e) {
            return "";
        }
    }
}
