package dev.qwen4j.runtime;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus-style cumulative histogram of seconds, safe to record from any thread. */
public final class Histogram {
    private final double[] bounds;
    private final LongAdder[] counts; // per bucket (not cumulative); the last one is +Inf
    private final DoubleAdder sum = new DoubleAdder();
    private final LongAdder count = new LongAdder();

    /** @param bounds upper bounds in seconds, increasing */
    public Histogram(double... bounds) {
        for (int i = 1; i < bounds.length; i++) {
            if (!(bounds[i] > bounds[i - 1])) throw new IllegalArgumentException("bucket bounds must increase");
        }
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
    }

    public void recordNanos(long nanos) {
        record(nanos / 1e9);
    }

    public void record(double seconds) {
        int i = 0;
        while (i < bounds.length && seconds > bounds[i]) i++;
        counts[i].increment();
        sum.add(seconds);
        count.increment();
    }

    public double[] bounds() {
        return bounds.clone();
    }

    /** Observations at or below bounds[i] (i = bounds.length: all of them). */
    public long cumulativeCount(int i) {
        long c = 0;
        for (int b = 0; b <= i; b++) c += counts[b].sum();
        return c;
    }

    public long count() {
        return count.sum();
    }

    public double sum() {
        return sum.sum();
    }

    /** Forgets every observation; not atomic with concurrent {@link #record} calls. */
    void reset() {
        for (LongAdder c : counts) c.reset();
        sum.reset();
        count.reset();
    }
}
