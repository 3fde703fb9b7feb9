package dev.qwen4j.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * The compute thread pool. Work is split by ranges of rows so every core gets an even, contiguous
 * share; the calling thread takes part so a 1-thread pool costs nothing.
 */
public final class Parallel {
    /** A half-open range [from, to) of work items. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private static volatile int threads = defaultThreads();
    private static volatile ForkJoinPool pool = new ForkJoinPool(threads);

    private Parallel() {}

    private static int defaultThreads() {
        String env = System.getenv("QWEN4J_THREADS");
        String prop = System.getProperty("qwen4j.threads", env);
        if (prop != null && !prop.isBlank()) {
            return Math.max(1, Integer.parseInt(prop.trim()));
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public static int threads() {
        return threads;
    }

    /** Sets the number of compute threads (1 = run everything on the caller). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        ForkJoinPool old = pool;
        threads = n;
        pool = new ForkJoinPool(n);
        old.shutdown();
    }

    /**
     * Runs task over [0, n) split into at most {@link #threads()} contiguous chunks whose sizes are
     * multiples of grain (except the last), so vector loops see whole blocks.
     */
    public static void forRange(int n, int grain, RangeTask task) {
        if (n <= 0) return;
        int t = threads;
        int g = Math.max(1, grain);
        int blocks = (n + g - 1) / g;
        int parts = Math.min(t, blocks);
        if (parts <= 1) {
            task.run(0, n);
            return;
        }
        pool.invoke(new Chunk(task, n, g, blocks, parts, 0, parts));
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeTask task;
        private final int n, grain, blocks, parts, lo, hi;

        Chunk(RangeTask task, int n, int grain, int blocks, int parts, int lo, int hi) {
            this.task = task;
            this.n = n;
            this.grain = grain;
            this.blocks = blocks;
            this.parts = parts;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int from = (int) ((long) blocks * lo / parts) * grain;
                int to = Math.min(n, (int) ((long) blocks * (lo + 1) / parts) * grain);
                if (from < to) task.run(from, to);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunk(task, n, grain, blocks, parts, lo, mid), new Chunk(task, n, grain, blocks, parts, mid, hi));
        }
    }
}
