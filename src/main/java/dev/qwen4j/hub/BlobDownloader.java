package dev.qwen4j.hub;

import dev.qwen4j.hub.HubException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one file into its blob: to {@code blobs/{etag}.incomplete} first, resuming what an
 * earlier attempt left there with {@code Range: bytes=N-}, retrying broken transfers, then
 * checking size and checksum against the ETag and renaming the file into place. A blob therefore
 * only ever exists complete and verified.
 */
final class BlobDownloader {
    private static final int BUFFER_SIZE = 1 << 20;
    private static final Pattern CONTENT_RANGE_START = Pattern.compile("bytes\\s+(\\d+)-");

    private final HubHttp http;
    private final RetryPolicy retry;

    BlobDownloader(HubHttp http, RetryPolicy retry) {
        this.http = http;
        this.retry = retry;
    }

    /**
     * Puts {@code file} into {@code cache.blob(file.etag())} unless it is there already.
     *
     * @param context the repository, the commit and the file, for the URL and for messages
     * @param file the file, with its ETag known
     */
    void download(HubRequestContext context, RepoCache cache, RepoFile file, DownloadListener listener) {
        Path blob = cache.blob(file.etag());
        Path incomplete = cache.incompleteBlob(file.etag());
        try (BlobLock lock = BlobLock.acquire(cache.blobLock(file.etag()))) {
            if (Files.exists(blob)) {
                return; // another download of the same content finished while we waited
            }
            downloadLocked(context, file, blob, incomplete, listener);
        } catch (IOException e) {
            throw HubErrors.cacheIo(context, cache.blobLock(file.etag()), e);
        } catch (InterruptedException e) {
            throw HubErrors.interrupted(context, e);
        }
    }

    private void downloadLocked(HubRequestContext context, RepoFile file, Path blob, Path incomplete,
            DownloadListener listener) {
        listener.fileStarted(file.path(), file.size());
        try {
            Files.createDirectories(incomplete.getParent());
            ProgressReporter progress = new ProgressReporter(listener, file.path());
            URI uri = http.resolveUri(context.repo(), context.revision(), file.path());
            retry.run(context, () -> transfer(context, uri, file, incomplete, progress));
            verify(context, file, incomplete);
            moveIntoPlace(incomplete, blob);
        } catch (HubException e) {
            listener.fileFailed(file.path(), e);
            throw e;
        } catch (IOException e) {
            HubException failure = HubErrors.cacheIo(context, incomplete, e);
            listener.fileFailed(file.path(), failure);
            throw failure;
        }
        listener.fileDone(file.path());
    }

    /**
     * One attempt: asks for what is missing from {@code incomplete} and appends it. Network
     * errors come out as {@link IOException} (worth another attempt, which resumes); disk errors
     * as {@link HubException} with reason {@code CACHE_IO}.
     *
     * @return the file's length on disk
     */
    private long transfer(HubRequestContext context, URI uri, RepoFile file, Path incomplete,
            ProgressReporter progress) throws IOException, InterruptedException {
        long offset = onDisk(context, incomplete);
        if (file.size() != RepoFile.UNKNOWN_SIZE && offset > file.size()) {
            discard(context, incomplete);
            offset = 0;
        }
        if (offset > 0 && offset == file.size()) {
            progress.reached(offset); // a previous run got every byte but stopped before verifying
            return offset;
        }
        Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
        HttpResponse<InputStream> response = http.send("GET", uri, headers, HubHttp.Redirects.ALL);
        int status = response.statusCode();
        boolean resumes = status == 206 && offset > 0 && contentRangeStart(response) == offset;
        boolean restarts = status == 200 || (status == 206 && offset == 0 && contentRangeStart(response) == 0);
        if (!resumes && !restarts) {
            if ((status == 206 || status == 416) && offset > 0) {
                // The partial file does not fit what the server has: throw it away, start over.
                response.body().close();
                discard(context, incomplete);
                return transfer(context, uri, file, incomplete, progress);
            }
            throw HubErrors.fromResponse(response, context);
        }
        long position = resumes ? offset : 0;
        try (InputStream body = response.body(); FileChannel out = openForWriting(context, incomplete, resumes)) {
            progress.reached(position);
            byte[] buffer = new byte[BUFFER_SIZE];
            for (int n; (n = body.read(buffer)) >= 0; ) {
                write(context, incomplete, out, buffer, n);
                position += n;
                progress.reached(position);
            }
        }
        if (file.size() != RepoFile.UNKNOWN_SIZE && position < file.size()) {
            throw new IOException("connection closed after " + position + " of " + file.size() + " bytes");
        }
        return position;
    }

    private static long contentRangeStart(HttpResponse<?> response) {
        String contentRange = response.headers().firstValue("Content-Range").orElse("");
        Matcher start = CONTENT_RANGE_START.matcher(contentRange);
        return start.lookingAt() ? Long.parseLong(start.group(1)) : -1;
    }

    private static void verify(HubRequestContext context, RepoFile file, Path incomplete) throws IOException {
        long size = Files.size(incomplete);
        if (file.size() != RepoFile.UNKNOWN_SIZE && size != file.size()) {
            Files.deleteIfExists(incomplete);
            throw mismatch(context, "expected " + file.size() + " bytes, got " + size);
        }
        BlobChecksum checksum = file.etag().checksum();
        if (checksum == BlobChecksum.NONE) {
            return;
        }
        String actual = checksum.compute(incomplete);
        if (!actual.equalsIgnoreCase(file.etag().value())) {
            Files.deleteIfExists(incomplete);
            String kind = checksum == BlobChecksum.SHA256 ? "SHA-256" : "git blob SHA-1";
            throw mismatch(context, "expected " + kind + " " + file.etag() + ", got " + actual);
        }
    }

    private static HubException mismatch(HubRequestContext context, String detail) {
        return new HubException(Reason.CHECKSUM_MISMATCH, "Checksum mismatch for " + context.describe() + ": "
                + detail + ". The corrupt download was deleted; pull again to retry.");
    }

    private static void moveIntoPlace(Path incomplete, Path blob) throws IOException {
        try {
            Files.move(incomplete, blob, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(incomplete, blob, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static long onDisk(HubRequestContext context, Path incomplete) {
        try {
            return Files.exists(incomplete) ? Files.size(incomplete) : 0;
        } catch (IOException e) {
            throw HubErrors.cacheIo(context, incomplete, e);
        }
    }

    private static void discard(HubRequestContext context, Path incomplete) {
        try {
            Files.deleteIfExists(incomplete);
        } catch (IOException e) {
            throw HubErrors.cacheIo(context, incomplete, e);
        }
    }

    private static FileChannel openForWriting(HubRequestContext context, Path incomplete, boolean append) {
        try {
            return append
                    ? FileChannel.open(incomplete, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                    : FileChannel.open(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw HubErrors.cacheIo(context, incomplete, e);
        }
    }

    private static void write(HubRequestContext context, Path incomplete, FileChannel out, byte[] buffer, int length) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, length);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw HubErrors.cacheIo(context, incomplete, e);
        }
    }
}
