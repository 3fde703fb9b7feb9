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
 * a terminal), with size and transfer speed, on standard error by default. A finished bar keeps
 * its line; the next file's bar starts below it.
 */
public final class ConsoleProgress implements DownloadListener {
    private static final long KIB = 1L << 10;
    private static final long MIB = 1L << 20;
    private static final int UPDATE_INTERVAL_MILLIS = 250;

    private final PrintStream out;
    private final int width;
    private final Map<String, Bar> bars = new HashMap<>();

    /** A bar and its consumer, which ends the bar's line exactly once however the library's timer raced. */
    private record Bar(ProgressBar bar, ClosingConsumer consumer) {}

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
        Bar previous = bars.remove(path);
        if (previous != null) finish(previous);
        ClosingConsumer consumer = new ClosingConsumer(width > 0
                ? new ConsoleProgressBarConsumer(out, width)
                : new ConsoleProgressBarConsumer(out));
        bars.put(path, new Bar(new ProgressBarBuilder()
                .setTaskName(path)
                .setInitialMax(size)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(unitName(size), unitSize(size))
                .showSpeed()
                .setUpdateIntervalMillis(UPDATE_INTERVAL_MILLIS)
                .setConsumer(consumer)
                .build(), consumer));
    }

    private static String unitName(long size) {
        if (size >= 0 && size < KIB) return "B";
        return size >= 0 && size < MIB ? "KiB" : "MiB";
    }

    private static long unitSize(long size) {
        if (size >= 0 && size < KIB) return 1;
        return size >= 0 && size < MIB ? KIB : MIB;
    }

    @Override
    public synchronized void bytes(String path, long delta) {
        Bar bar = bars.get(path);
        if (bar != null) bar.bar().stepBy(delta);
    }

    @Override
    public synchronized void fileDone(String path) {
        Bar bar = bars.remove(path);
        if (bar != null) finish(bar);
    }

    @Override
    public synchronized void fileFailed(String path, HubException error) {
        Bar bar = bars.remove(path);
        if (bar != null) {
            bar.bar().setExtraMessage("failed");
            finish(bar);
        }
    }

    /**
     * Draws the bar one last time and ends its line, so it stays visible above the next one. The library
     * ends the line itself only when its timer had already drawn the bar once; closing the consumer here
     * (a no-op the second time) makes it exactly one line break either way.
     */
    private static void finish(Bar bar) {
        bar.bar().close();
        bar.consumer().close();
    }
}
