package dev.qwen4j.hub;

/**
 * Follows the files of a {@link HubClient#pull pull} as they download. Files already in the cache
 * are not reported. Calls for one file come in order {@code fileStarted}, any number of
 * {@code bytes}, then {@code fileDone} or {@code fileFailed}; the byte deltas of a file never add up to more than its size,
 * even when a broken transfer is resumed or restarted.
 */
public interface DownloadListener {
    /** A file starts downloading; {@code size} is its length in bytes, or -1 when unknown. */
    void fileStarted(String path, long size);

    /** {@code delta} more bytes of the file are on disk (a resumed file reports its kept prefix). */
    void bytes(String path, long delta);

    /** The file is downloaded, verified and in the cache. */
    void fileDone(String path);

    /** The file's download failed; the pull throws {@code error} next. No {@code fileDone} follows. */
    default void fileFailed(String path, HubException error) {}

    /** A listener that ignores every event. */
    static DownloadListener silent() {
        return SilentListener.INSTANCE;
    }
}
