package dev.qwen4j.hub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link DownloadListener} that remembers what it was told. */
final class RecordingListener implements DownloadListener {
    final List<String> started = new ArrayList<>();
    final Map<String, Long> sizes = new LinkedHashMap<>();
    final Map<String, Long> bytes = new LinkedHashMap<>();
    final List<String> done = new ArrayList<>();
    final List<String> failed = new ArrayList<>();

    @Override
    public synchronized void fileStarted(String path, long size) {
        started.add(path);
        sizes.put(path, size);
    }

    @Override
    public synchronized void bytes(String path, long delta) {
        if (delta <= 0) throw new AssertionError("non-positive delta " + delta + " for " + path);
        bytes.merge(path, delta, Long::sum);
    }

    @Override
    public synchronized void fileDone(String path) {
        done.add(path);
    }

    @Override
    public synchronized void fileFailed(String path, HubException error) {
        failed.add(path);
    }
}
