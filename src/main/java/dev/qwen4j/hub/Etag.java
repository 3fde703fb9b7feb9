package dev.qwen4j.hub;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The identity of a file's content on the hub, and the name of its blob in the cache: the SHA-256
 * of the content for LFS files, the git blob SHA-1 for regular files. Only values that are safe
 * as a file name are accepted.
 */
record Etag(String value) {
    private static final Pattern SAFE_FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+=-]{0,127}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA1_HEX = Pattern.compile("[0-9a-f]{40}");

    Etag {
        if (value == null || !SAFE_FILE_NAME.matcher(value).matches() || value.contains("..")) {
            throw new IllegalArgumentException("Unusable ETag: " + value);
        }
    }

    /**
     * Parses an {@code ETag} / {@code X-Linked-Etag} header value the way huggingface_hub does:
     * without a weak marker {@code W/} and without quotes.
     */
    static Etag fromHeader(String header) {
        String value = header.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return new Etag(value);
    }

    /** Which checksum of the content this ETag is, judging by its form. */
    BlobChecksum checksum() {
        String lower = value.toLowerCase(Locale.ROOT);
        if (SHA256_HEX.matcher(lower).matches()) return BlobChecksum.SHA256;
        if (SHA1_HEX.matcher(lower).matches()) return BlobChecksum.GIT_BLOB_SHA1;
        return BlobChecksum.NONE;
    }

    @Override
    public String toString() {
        return value;
    }
}
