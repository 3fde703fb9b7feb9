package dev.qwen4j.runtime;

import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvBlockPool;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.model.LanguageModel;
import dev.qwen4j.model.MultimodalPrompt;
import dev.qwen4j.runtime.grammar.TokenConstraint;
import dev.qwen4j.runtime.grammar.TokenVocabulary;
import dev.qwen4j.runtime.sampling.Sampler;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.tokenizer.Tokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Serves many generation requests on one model with continuous batching: a single engine thread loops
 * over steps, and each step runs one {@link ForwardBatch} holding the next token of every decoding
 * sequence plus prefill chunks of new ones ({@link Scheduler}). Requests join and leave the batch at any
 * step. Submitting, cancelling and reading metrics are thread-safe; listeners are called on the engine
 * thread.
 */
public final class Engine implements AutoCloseable {
    private static final long IDLE_PARK_NANOS = 50_000_000L;

    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final Set<Integer> defaultEos;
    private final EngineConfig config;
    private final KvBlockPool pool;
    private final int maxModelLen;
    private final Scheduler scheduler;
    private final EngineMetrics metrics = new EngineMetrics();
    private final ConcurrentLinkedQueue<Sequence> inbox = new ConcurrentLinkedQueue<>();
    private final ForwardBatch batch = new ForwardBatch();
    private final float[] scratch;
    /** The logits before sampling changed them, for a constrained step that must sample again (reused). */
    private float[] unmasked = new float[0];
    /** The last step's logits array, handed back to the model so steps do not allocate megabytes each. */
    private float[] logitsBuffer;
    private final Thread thread;

    /** Requests submitted and not yet ended: exact, unlike the gauges, which trail by up to one step. */
    private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
    /** Requests submitted but never admitted yet: what the wait-queue limit counts, exactly. */
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean accepting = true;
    private volatile boolean abort;
    private volatile int waitingGauge;
    private volatile int runningGauge;
    private volatile long preemptionsGauge;
    /** The cumulative prefix-cache hits and preemptions {@link #resetMetrics} left out of snapshots. */
    private volatile long prefixHitBaseline, preemptionBaseline;

    /**
     * @param defaultEos end-of-sequence ids for requests whose params name none (e.g. the runtime's
     *                   generation_config ids)
     */
    public Engine(LanguageModel model, Tokenizer tokenizer, Set<Integer> defaultEos, EngineConfig config) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.defaultEos = Set.copyOf(defaultEos);
        this.config = Objects.requireNonNull(config, "config");
        this.pool = model.newKvPool(config.blockSize(), config.kvBudgetBytes(), config.kvCacheType());
        this.maxModelLen = Math.min(config.maxModelLen(), model.contextLength());
        this.scheduler = new Scheduler(config);
        this.scratch = new float[model.vocabSize()];
        this.thread = Thread.ofPlatform().name("qwen4j-engine").daemon().unstarted(this::loop);
        thread.start();
    }

    public EngineConfig config() { return config; }
    /** Longest sequence (prompt + output) a request may reach. */
    public int maxModelLen() { return maxModelLen; }
    public EngineMetrics metrics() { return metrics; }

    /**
     * Starts the engine's counts over: {@link #metrics} and the snapshot's prefix-cache hits and preemptions (for an
     * engine whose earlier requests were its own warm-up). Not atomic with requests running meanwhile.
     */
    public void resetMetrics() {
        metrics.reset();
        prefixHitBaseline = pool.prefixHitBlocks();
        preemptionBaseline = preemptionsGauge;
    }
    public Tokenizer tokenizer() { return tokenizer; }

    public EngineSnapshot snapshot() {
        return new EngineSnapshot(waitingGauge + inbox.size(), runningGauge, pool.blocksInUse(), pool.maxBlocks(),
                pool.publishedBlocks(), pool.prefixHitBlocks() - prefixHitBaseline, preemptionsGauge - preemptionBaseline);
    }

    /**
     * Allocates the whole KV budget now (see {@link KvBlockPool#preallocate}) and has the GC move it to the
     * old generation at once, where no young collection copies it again.
     *
     * @return the bytes allocated
     * @throws IllegalStateException when the heap cannot hold the budget
     */
    public long preallocateKv() {
        long bytes = pool.preallocate();
        System.gc();
        return bytes;
    }

    /** Tokens the KV budget can hold in all. */
    public long kvCapacityTokens() {
        return (long) pool.maxBlocks() * pool.blockSize();
    }

    /**
     * Queues a request; its output goes to listener. Checks what can be checked now, so the caller can
     * answer a bad request at once.
     *
     * @throws PromptTooLongException     when the prompt leaves no room to generate, or exceeds the KV budget
     * @throws IllegalArgumentException   for a token id outside the vocabulary
     * @throws EngineOverloadedException  when the wait queue is full
     * @throws EngineClosedException      after {@link #shutdown}
     */
    public RequestHandle submit(GenerationRequest request, SequenceListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (!accepting) throw new EngineClosedException();
        int[] prompt = request.prompt();
        if (prompt.length >= maxModelLen) {
            throw new PromptTooLongException("the prompt has " + prompt.length + " tokens, but this model's maximum context length is "
                    + maxModelLen + " tokens (prompt and output together)", prompt.length, maxModelLen - 1);
        }
        long blocksNeeded = (prompt.length + 1L + pool.blockSize() - 1) / pool.blockSize();
        if (blocksNeeded > pool.maxBlocks()) {
            throw new PromptTooLongException("the prompt has " + prompt.length + " tokens, more than the server's KV cache holds ("
                    + (kvCapacityTokens() - 1) + " tokens)", prompt.length, (int) Math.min(Integer.MAX_VALUE, kvCapacityTokens() - 1));
        }
        for (int id : prompt) {
            if (id < 0 || id >= model.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is out of range [0, " + model.vocabSize() + ")");
            }
        }
        int waiting = queued.get();
        if (waiting >= config.maxWaiting()) {
            metrics.rejected.increment();
            throw new EngineOverloadedException(waiting, retryAfterSeconds());
        }
        SamplingParams params = request.params();
        if (params.eosTokenIds().isEmpty()) params = params.withEosTokenIds(defaultEos);
        Sampler sampler = new Sampler(params, model.vocabSize(), prompt);
        sampler.setMaskFrom(Math.min(model.vocabSize(), tokenizer.vocabSize()));
        SequenceOutput output = new SequenceOutput(tokenizer, params.stop(), request.reasoning());
        KvCache cache = new KvCache(pool, maxModelLen);
        Sequence s = new Sequence(this, request, listener, cache, sampler, output, constraint(request, params), System.nanoTime());
        synchronized (inbox) {
            // Checked again under the lock shutdown takes, so no request slips in after the engine stopped.
            if (!accepting) throw new EngineClosedException();
            active.incrementAndGet();
            queued.incrementAndGet();
            inbox.add(s);
        }
        wake();
        return s;
    }

    /** A rough wait: the mean request time so far, at least 1 s. */
    private int retryAfterSeconds() {
        Histogram h = metrics.requestLatency;
        double mean = h.count() == 0 ? 1 : h.sum() / h.count();
        return (int) Math.max(1, Math.min(60, Math.ceil(mean)));
    }

    void wake() {
        LockSupport.unpark(thread);
    }

    /**
     * Stops taking requests, lets the running and queued ones finish for up to grace, then cancels the
     * rest and stops the engine thread. Returns true when everything finished within grace.
     */
    public boolean shutdown(Duration grace) {
        synchronized (inbox) {
            accepting = false;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        boolean drained;
        while (!(drained = active.get() == 0) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000L);
        }
        abort = true;
        wake();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return drained;
    }

    @Override
    public void close() {
        if (thread.isAlive()) shutdown(Duration.ZERO);
    }

    private void loop() {
        while (true) {
            for (Sequence s; (s = inbox.poll()) != null; ) scheduler.enqueue(s);
            if (abort) {
                for (Sequence s : scheduler.all()) end(s, StopReason.CANCELLED, null);
                for (Sequence s; (s = inbox.poll()) != null; ) end(s, StopReason.CANCELLED, null);
                updateGauges();
                return;
            }
            endCancelledAndExpired();
            if (scheduler.idle()) {
                updateGauges();
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            try {
                step();
            } catch (RuntimeException | Error e) {
                // A bug in one step must not take the server down: fail what was running, keep serving.
                for (Sequence s : scheduler.all()) end(s, StopReason.ERROR, e);
            }
            updateGauges();
        }
    }

    private void updateGauges() {
        waitingGauge = scheduler.waitingCount();
        runningGauge = scheduler.runningCount();
        preemptionsGauge = scheduler.preemptions();
    }

    private void endCancelledAndExpired() {
        long now = System.nanoTime();
        for (Sequence s : scheduler.all()) {
            if (s.cancelRequested) end(s, StopReason.CANCELLED, null);
            else if (now - s.request.deadlineNanos() > 0 && s.request.deadlineNanos() != Long.MAX_VALUE) end(s, StopReason.TIMEOUT, null);
        }
    }

    private void step() {
        List<Sequence> outOfMemory = new ArrayList<>();
        List<ScheduledChunk> chunks = scheduler.schedule(outOfMemory);
        for (Sequence s : outOfMemory) {
            deliver(s, s.output.finish(-1));
            end(s, StopReason.CONTEXT_LENGTH, null);
        }
        if (chunks.isEmpty()) {
            LockSupport.parkNanos(1_000_000L); // nothing fits right now; memory frees as others finish
            return;
        }
        batch.clear();
        for (ScheduledChunk c : chunks) {
            Sequence s = c.sequence();
            if (!s.admitted) {
                s.admitted = true;
                queued.decrementAndGet();
            }
            MultimodalPrompt mm = s.request.multimodal();
            for (int i = c.from(); i < c.to(); i++) {
                boolean logits = c.samples() && i == c.to() - 1;
                if (mm != null) mm.addToken(batch, s.cache, s.tokens[i], i, logits);
                else batch.add(s.cache, s.tokens[i], i, logits);
            }
        }
        float[] logits;
        try {
            logits = model.forward(batch, logitsBuffer);
            logitsBuffer = logits;
        } catch (RuntimeException e) {
            for (ScheduledChunk c : chunks) end(c.sequence(), StopReason.ERROR, e);
            return;
        } finally {
            metrics.steps.increment();
            metrics.batchedTokens.add(batch.size());
            batch.clear();
        }
        int row = 0;
        for (ScheduledChunk c : chunks) {
            Sequence s = c.sequence();
            s.computed = c.to();
            if (config.prefixCaching()) s.cache.publishFullBlocks(s.tokens, s.shareableLength());
            if (c.samples()) sampleNext(s, logits, row++);
        }
    }

    private void sampleNext(Sequence s, float[] logits, int row) {
        int v = model.vocabSize();
        System.arraycopy(logits, row * v, scratch, 0, v);
        int top = s.request.logprobs();
        int token;
        try {
            token = sampleWithin(s);
        } catch (RuntimeException e) {
            end(s, StopReason.ERROR, e);
            return;
        }
        TokenLogprobs lp = top < 0 ? null : TokenLogprobs.of(logits, row * v, Math.min(v, tokenizer.vocabSize()), token, top);
        s.sampler.accept(token);
        s.append(token);
        if (s.constraint != null) s.constraint.accept(token);
        s.generated++;
        long now = System.nanoTime();
        if (s.generated == 1) {
            s.firstTokenNanos = now;
            metrics.timeToFirstToken.recordNanos(now - s.submittedNanos);
        } else {
            metrics.timePerOutputToken.recordNanos(now - s.lastTokenNanos);
        }
        s.lastTokenNanos = now;
        metrics.generatedTokens.increment();
        if (s.sampler.isEndOfSequence(token)) {
            if (deliver(s, s.output.finish(token).withLogprobs(lp))) end(s, StopReason.EOS, null);
            return;
        }
        if (!deliver(s, s.output.push(token).withLogprobs(lp))) return;
        if (s.output.stopped()) {
            end(s, StopReason.STOP_STRING, null);
        } else if (s.generated >= s.sampler.params().maxTokens()) {
            if (deliver(s, s.output.finish(-1))) end(s, StopReason.MAX_TOKENS, null);
        } else if (s.size >= maxModelLen) {
            // Prompt + output reached the limit (vLLM's max_model_len counts every token).
            if (deliver(s, s.output.finish(-1))) end(s, StopReason.CONTEXT_LENGTH, null);
        }
    }

    /**
     * Samples from scratch; under a constraint, checks the token and only when it does not fit masks a copy
     * of the original logits and samples again (greedy gives the masked argmax; the full mask is mostly
     * skipped for a model that already follows the format).
     */
    private int sampleWithin(Sequence s) {
        if (s.constraint == null || !s.constraint.isActive()) return s.sampler.sample(scratch);
        if (unmasked.length != scratch.length) unmasked = new float[scratch.length];
        float[] original = unmasked; // reused: a vocabulary-sized copy per token would be 0.6 MB of garbage each
        System.arraycopy(scratch, 0, original, 0, scratch.length);
        int token = s.sampler.sample(scratch);
        if (s.constraint.allows(token)) return token;
        s.constraint.mask(original);
        return s.sampler.sample(original);
    }

    /**
     * The request's output constraint, or null. For a thinking prompt whose reasoning is still open the
     * grammar applies from {@code </think>} on; a prompt that already closed it (thinking switched off)
     * is constrained from the first token; where the model may choose (a hybrid template with thinking on),
     * it applies after {@code </think>} if the model opens {@code <think>}, else from its first token.
     */
    private TokenConstraint constraint(GenerationRequest request, SamplingParams params) {
        if (request.grammar() == null) return null;
        TokenConstraint c = new TokenConstraint(request.grammar(), TokenVocabulary.of(tokenizer), params.eosTokenIds());
        int endThink = tokenizer.id("</think>").orElse(-1), think = tokenizer.id("<think>").orElse(-1);
        if (request.reasoning() != ReasoningMode.NONE && endThink >= 0 && !answerTurnClosedThinking(request.prompt(), endThink)) {
            // a prompt that opened <think> reasons first; otherwise the model may open it or answer right away
            if (request.reasoning() == ReasoningMode.SPLIT && think >= 0) c.startAfterIfOpened(think, endThink);
            else c.startAfter(endThink);
        }
        return c;
    }

    /** Whether {@code </think>} appears in the prompt's last turn (after its last {@code <|im_start|>}). */
    private boolean answerTurnClosedThinking(int[] prompt, int endThink) {
        int turnStart = tokenizer.id("<|im_start|>").orElse(-1);
        for (int i = prompt.length - 1; i >= 0 && prompt[i] != turnStart; i--) {
            if (prompt[i] == endThink) return true;
        }
        return false;
    }

    /** Hands an event to the listener; a listener that throws cancels its request. */
    private boolean deliver(Sequence s, TokenEvent e) {
        if (e.tokenId() < 0 && e.text().isEmpty() && e.reasoning().isEmpty() && e.content().isEmpty()) return true;
        try {
            s.listener.onToken(e);
            return true;
        } catch (RuntimeException listenerFailed) {
            end(s, StopReason.CANCELLED, null);
            return false;
        }
    }

    private void end(Sequence s, StopReason reason, Throwable error) {
        if (s.finished) return;
        s.finished = true;
        scheduler.remove(s);
        active.decrementAndGet();
        if (!s.admitted) queued.decrementAndGet();
        long now = System.nanoTime();
        int cached = Math.max(0, s.cachedPromptTokens);
        metrics.finished(reason);
        metrics.promptTokens.add(s.promptLength());
        metrics.cachedPromptTokens.add(cached);
        metrics.requestLatency.recordNanos(now - s.submittedNanos);
        updateGauges(); // so a caller woken by onFinish sees the sequence gone
        SequenceResult result = new SequenceResult(reason, s.generatedIds(), s.output.text(), s.promptLength(), cached,
                s.firstTokenNanos == 0 ? 0 : s.firstTokenNanos - s.submittedNanos, now - s.submittedNanos, error);
        try {
            s.listener.onFinish(result);
        } catch (RuntimeException ignored) {
            // The request is over either way; a failing listener cannot be told more.
        }
    }
}
