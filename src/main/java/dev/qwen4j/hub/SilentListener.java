package dev.qwen4j.hub;

/** The {@link DownloadListener} that ignores every event. */
enum SilentListener implements DownloadListener {
    INSTANCE;

    @Override
    public void fileStarted(String path, long size) {}

    @Override
    public void bytes(String path, long delta) {}

    @Override
    public void fileDone(String path) {}
}
