package dev.qwen4j.hub;

/**
 * Reports one file's progress to a {@link DownloadListener} as a high-water mark: when a broken
 * transfer restarts from the beginning, bytes already reported are not reported again.
 */
final class ProgressReporter {
    private final DownloadListener listener;
    private final String path;
    private long reported;

    ProgressReporter(DownloadListener listener, String path) {
        this.listener = listener;
        this.path = path;
    }

    /** The file now has {@code position} bytes on disk. */
    void reached(long position) {
        if (position > reported) {
            listener.bytes(path, position - reported);
            reported = position;
        }
    }
}
