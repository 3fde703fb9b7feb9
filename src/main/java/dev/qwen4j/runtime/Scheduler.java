package dev.qwen4j.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Decides, every step, which tokens of which sequences run together (continuous batching, as in vLLM's
 * V1 scheduler): running sequences first — decoding ones one token each, then prefilling ones a chunk
 * each — and then waiting requests are admitted while the step's token budget, the running limit and the
 * KV budget allow. A prompt longer than the remaining budget is prefilled in chunks over several steps,
 * interleaved with the decode tokens of the others.
 *
 * <p>KV memory is taken a block at a time as sequences grow. When a running sequence needs a block and
 * none is left, the most recently admitted other sequence is preempted: its blocks are freed and it goes
 * back to the front of the queue, to be recomputed (its published blocks often survive in the prefix
 * cache). Not thread-safe: the engine thread owns it.
 */
final class Scheduler {
    private final EngineConfig config;
    private final Deque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private long step;
    private long preemptions;

    Scheduler(EngineConfig config) {
        this.config = config;
    }

    void enqueue(Sequence s) {
        waiting.addLast(s);
    }

    int waitingCount() {
        return waiting.size();
    }

    int runningCount() {
        return running.size();
    }

    long preemptions() {
        return preemptions;
    }

    boolean idle() {
        return waiting.isEmpty() && running.isEmpty();
    }

    /** Every sequence not finished yet, running ones first. */
    List<Sequence> all() {
        List<Sequence> all = new ArrayList<>(running);
        all.addAll(waiting);
        return all;
    }

    /** Removes a finished or cancelled sequence and gives its blocks back. */
    void remove(Sequence s) {
        if (!running.remove(s)) waiting.remove(s);
        s.cache.close();
    }

    /**
     * The chunks of the next step (empty when nothing can run). Sequences that cannot grow even alone are
     * returned in {@code outOfMemory} for the engine to end.
     */
    List<ScheduledChunk> schedule(List<Sequence> outOfMemory) {
        step++;
        int budget = config.maxBatchTokens();
        List<ScheduledChunk> chunks = new ArrayList<>();
        boolean preempted = false;
        // Decoding sequences first so a long prefill never delays their next token.
        for (int pass = 0; pass < 2 && budget > 0; pass++) {
            for (Sequence s : new ArrayList<>(running)) {
                if (budget == 0) break;
                if (s.scheduledStep == step || !running.contains(s)) continue;
                boolean decoding = s.pending() == 1 && s.computed > 0;
                if (decoding != (pass == 0)) continue;
                int n = Math.min(s.pending(), budget);
                if (!reserveOrPreempt(s, n, outOfMemory)) {
                    preempted = true;
                    continue;
                }
                chunks.add(chunk(s, n));
                budget -= n;
            }
        }
        // Admission: only when nobody had to be preempted this step (there is clearly no memory to spare).
        while (!preempted && budget > 0 && running.size() < config.maxRunning() && !waiting.isEmpty()) {
            Sequence s = waiting.peekFirst();
            if (s.computed == 0 && config.prefixCaching()) {
                // The last prompt token is always recomputed: its logits give the first output token.
                s.computed = s.cache.reusePrefix(s.tokens, Math.min(s.size - 1, s.shareableLength()));
            }
            int n = Math.min(s.pending(), budget);
            if (!s.cache.reserve(s.computed + n)) {
                // Not enough KV memory: the request keeps waiting and holds no blocks meanwhile.
                s.cache.close();
                s.computed = 0;
                break;
            }
            waiting.pollFirst();
            if (s.cachedPromptTokens < 0) s.cachedPromptTokens = Math.min(s.computed, s.promptLength());
            running.add(s);
            chunks.add(chunk(s, n));
            budget -= n;
        }
        return chunks;
    }

    private ScheduledChunk chunk(Sequence s, int n) {
        s.scheduledStep = step;
        return new ScheduledChunk(s, s.computed, s.computed + n, s.computed + n == s.size);
    }

    /**
     * Reserves KV for s's next n tokens, preempting later-admitted sequences as needed. False when s itself
     * had to step back (others hold the memory) or can never fit (alone and over the budget: outOfMemory).
     */
    private boolean reserveOrPreempt(Sequence s, int n, List<Sequence> outOfMemory) {
        while (!s.cache.reserve(s.computed + n)) {
            Sequence victim = null;
            for (int i = running.size() - 1; i >= 0; i--) {
                Sequence r = running.get(i);
                if (r != s && r.scheduledStep != step) {
                    victim = r;
                    break;
                }
            }
            if (victim != null) {
                preempt(victim);
                continue;
            }
            if (running.size() > 1) {
                preempt(s); // the others scheduled this step hold the memory; retry when they finish
            } else {
                running.remove(s);
                outOfMemory.add(s);
            }
            return false;
        }
        return true;
    }

    private void preempt(Sequence s) {
        running.remove(s);
        s.cache.close();
        s.computed = 0;
        s.preemptions++;
        preemptions++;
        waiting.addFirst(s);
    }
}
