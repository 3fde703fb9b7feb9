package dev.qwen4j.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtagTest {
    private static final String SHA256 = "a".repeat(64);
    private static final String SHA1 = "b".repeat(40);

    @Test
    void headerLosesQuotesAndWeakMarker() {
        assertThat(Etag.fromHeader("\"" + SHA256 + "\"").value()).isEqualTo(SHA256);
        assertThat(Etag.fromHeader("W/\"" + SHA1 + "\"").value()).isEqualTo(SHA1);
        assertThat(Etag.fromHeader(SHA1).value()).isEqualTo(SHA1);
    }

    @Test
    void formTellsTheChecksum() {
        assertThat(new Etag(SHA256).checksum()).isEqualTo(BlobChecksum.SHA256);
        assertThat(new Etag(SHA1).checksum()).isEqualTo(BlobChecksum.GIT_BLOB_SHA1);
        assertThat(new Etag("d41d8cd98f00b204e9800998ecf8427e-2").checksum()).isEqualTo(BlobChecksum.NONE);
    }

    @Test
    void valuesThatAreNoSafeFileNameAreRefused() {
        assertThatThrownBy(() -> Etag.fromHeader("\"../../etc/passwd\"")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Etag("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Etag("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checksumsMatchGitAndSha256(@TempDir Path dir) throws IOException {
        Path hello = Files.writeString(dir.resolve("hello"), "hello\n");
        Path empty = Files.createFile(dir.resolve("empty"));

        // `git hash-object` of these files
        assertThat(BlobChecksum.GIT_BLOB_SHA1.compute(hello)).isEqualTo("ce013625030ba8dba906f756967f9e9ca394464a");
        assertThat(BlobChecksum.GIT_BLOB_SHA1.compute(empty)).isEqualTo("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        assertThat(BlobChecksum.SHA256.compute(hello))
                .isEqualTo("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
    }
}
