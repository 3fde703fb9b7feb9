package dev.qwen4j.hub;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows one progress bar per downloading file (ASCII, so it also reads well in logs and without
 * a terminal), in MiB with transfer speed, on standard error by default.
 */
public final class ConsoleProgress implements DownloadListener {
    private static final long MIB = 1L << 20;
    private static final int UPDATE_INTERVAL_MILLIS = 250;

    private final PrintStream out;
    private final int width;
    private final Map<String, ProgressBar> bars = new HashMap<>();

    /** Bars on standard error, as wide as the terminal. */
    public ConsoleProgress() {
        this(System.err, 0);
    }

    /**
     * @param out where the bars go
     * @param width the width of a bar line in characters; 0 for the terminal's width
     */
    public ConsoleProgress(PrintStream out, int width) {
        this.out = out;
        this.width = width;
    }

    @Override
    public synchronized void fileStarted(String path, long size) {
        ProgressBar previous = bars.remove(path);
        if (previous != null) previous.close();
        ConsoleProgressBarConsumer consumer = width > 0
                ? new ConsoleProgressBarConsumer(out, width)
                : new ConsoleProgressBarConsumer(out);
        bars.put(path, new ProgressBarBuilder()
                .setTaskName(path)
                .setInitialMax(size)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit("MiB", MIB)
                .showSpeed()
                .setUpdateIntervalMillis(UPDATE_INTERVAL_MILLIS)
                .setConsumer(consumer)
                .build());
    }

    @Override
    public synchronized void bytes(String path, long delta) {
        ProgressBar bar = bars.get(path);
        if (bar != null) bar.stepBy(delta);
    }

    @Override
    public synchronized void fileDone(String path) {
        ProgressBar bar = bars.remove(path);
        if (bar != null) bar.close();
    }

    @Override
    public synchronized void fileFailed(String path, HubException error) {
        ProgressBar bar = bars.remove(path);
        if (bar != null) {
            bar.setExtraMessage("failed");
            bar.close();
        }
    }
}
