package dev.qwen4j.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * The bytes behind an {@code image_url}: a {@code data:} URL always; an {@code http(s)} URL only when remote
 * fetching was enabled, and then never from loopback, link-local or private addresses (the server must not
 * become a way into its own network), without following redirects, within a size limit and a timeout.
 */
final class ImageFetcher {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final boolean allowRemote;
    private final long maxBytes;
    private final HttpClient http;

    ImageFetcher(boolean allowRemote, long maxBytes) {
        this.allowRemote = allowRemote;
        this.maxBytes = maxBytes;
        this.http = allowRemote ? HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(TIMEOUT).build() : null;
    }

    byte[] fetch(ImagePart part) {
        String url = part.url();
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("data:")) return decodeDataUrl(part);
        if (lower.startsWith("http://") || lower.startsWith("https://")) return download(part);
        throw ApiException.invalid(part.param() + ".image_url.url", "image_url.url must be a data: URL or an http(s) URL");
    }

    private byte[] decodeDataUrl(ImagePart part) {
        String url = part.url();
        int comma = url.indexOf(',');
        if (comma < 0 || !url.substring(0, comma).toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw ApiException.invalid(part.param() + ".image_url.url", "a data: URL image must be base64 (data:image/png;base64,...)");
        }
        long approx = (url.length() - comma - 1) * 3L / 4;
        if (approx > maxBytes) throw tooLarge(part);
        try {
            return Base64.getMimeDecoder().decode(url.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(part.param() + ".image_url.url", "the data: URL is not valid base64: " + e.getMessage());
        }
    }

    private byte[] download(ImagePart part) {
        String param = part.param() + ".image_url.url";
        if (!allowRemote) {
            throw ApiException.invalid(param, "fetching images from URLs is disabled on this server (start it with --allow-remote-images); send a data: URL");
        }
        URI uri;
        try {
            uri = URI.create(part.url());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(param, "not a valid URL: " + e.getMessage());
        }
        if (uri.getHost() == null) throw ApiException.invalid(param, "the URL has no host");
        refuseInternal(uri.getHost(), param);
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) throw ApiException.invalid(param, "fetching the image gave HTTP " + r.statusCode());
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) throw tooLarge(part);
                return bytes;
            }
        } catch (IOException e) {
            throw ApiException.invalid(param, "could not fetch the image: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.invalid(param, "interrupted while fetching the image");
        }
    }

    /** Loopback, link-local, site-local (private) and wildcard addresses are refused, by every address the name has. */
    private static void refuseInternal(String host, String param) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw ApiException.invalid(param, "unknown host " + host);
        }
        for (InetAddress a : addresses) {
            if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                    || a.isMulticastAddress() || isUniqueLocalV6(a)) {
                throw ApiException.invalid(param, "images are not fetched from internal addresses (" + host + ")");
            }
        }
    }

    private static boolean isUniqueLocalV6(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 16 && (b[0] & 0xFE) == 0xFC;
    }

    private ApiException tooLarge(ImagePart part) {
        return ApiException.invalid(part.param() + ".image_url.url", "the image is larger than " + maxBytes + " bytes");
    }
}
