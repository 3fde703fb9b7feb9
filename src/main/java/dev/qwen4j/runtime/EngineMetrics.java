package dev.qwen4j.runtime;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency histograms of one engine, readable from any thread (the server's /metrics).
 * Gauges (queue depth, running sequences, KV blocks) are read live from {@link Engine#snapshot()}.
 */
public final class EngineMetrics {
    private final Map<StopReason, LongAdder> finished = new EnumMap<>(StopReason.class);
    final LongAdder promptTokens = new LongAdder();
    final LongAdder cachedPromptTokens = new LongAdder();
    final LongAdder generatedTokens = new LongAdder();
    final LongAdder steps = new LongAdder();
    final LongAdder batchedTokens = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final Histogram timeToFirstToken = new Histogram(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);
    final Histogram timePerOutputToken = new Histogram(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);
    final Histogram requestLatency = new Histogram(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);

    EngineMetrics() {
        for (StopReason r : StopReason.values()) finished.put(r, new LongAdder());
    }

    void finished(StopReason reason) {
        finished.get(reason).increment();
    }

    public long finishedRequests(StopReason reason) { return finished.get(reason).sum(); }
    public long promptTokens() { return promptTokens.sum(); }
    /** Prompt tokens served from the prefix cache rather than computed. */
    public long cachedPromptTokens() { return cachedPromptTokens.sum(); }
    public long generatedTokens() { return generatedTokens.sum(); }
    /** Forward passes run. */
    public long steps() { return steps.sum(); }
    /** Tokens run through the model over all steps (prefill + decode). */
    public long batchedTokens() { return batchedTokens.sum(); }
    /** Requests refused because the wait queue was full. */
    public long rejectedRequests() { return rejected.sum(); }
    public Histogram timeToFirstToken() { return timeToFirstToken; }
    /** Time between consecutive tokens of one sequence (inter-token latency). */
    public Histogram timePerOutputToken() { return timePerOutputToken; }
    public Histogram requestLatency() { return requestLatency; }

    /**
     * Starts the counters and histograms over, for an engine whose earlier requests were its own (a warm-up before
     * serving): clients and Retry-After's mean latency then see only their own requests. Not atomic with requests
     * running meanwhile.
     */
    public void reset() {
        finished.values().forEach(LongAdder::reset);
        for (LongAdder a : new LongAdder[] {promptTokens, cachedPromptTokens, generatedTokens, steps, batchedTokens, rejected}) a.reset();
        timeToFirstToken.reset();
        timePerOutputToken.reset();
        requestLatency.reset();
    }
}
