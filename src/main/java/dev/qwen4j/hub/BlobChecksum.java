package dev.qwen4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The checksums the hub uses as ETags, computed over a file on disk. */
enum BlobChecksum {
    /** SHA-256 of the content: the ETag of LFS files. */
    SHA256("SHA-256"),
    /** SHA-1 of {@code "blob <length>\0" + content}, git's object id: the ETag of regular files. */
    GIT_BLOB_SHA1("SHA-1"),
    /** The ETag is neither: only the size can be checked. */
    NONE(null);

    private static final int BUFFER_SIZE = 1 << 20;

    private final String algorithm;

    BlobChecksum(String algorithm) {
        this.algorithm = algorithm;
    }

    /** The lower-case hex checksum of the file; only for {@link #SHA256} and {@link #GIT_BLOB_SHA1}. */
    String compute(Path file) throws IOException {
        if (this == NONE) {
            throw new IllegalStateException("No checksum to compute for an opaque ETag");
        }
        MessageDigest digest = newDigest();
        if (this == GIT_BLOB_SHA1) {
            digest.update(("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
        }
        byte[] buffer = new byte[BUFFER_SIZE];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is a required JDK algorithm", e);
        }
    }
}
