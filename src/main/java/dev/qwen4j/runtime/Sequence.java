package dev.qwen4j.runtime;

import dev.qwen4j.model.KvCache;
import dev.qwen4j.runtime.grammar.TokenConstraint;
import dev.qwen4j.runtime.sampling.Sampler;
import java.util.Arrays;

/**
 * The engine's state for one request: every token so far (prompt, then generated), how many of them
 * have K/V in the cache, and the per-request sampler and output decoder. Only the engine thread touches
 * it, except {@link #cancelRequested}.
 */
final class Sequence implements RequestHandle {
    final GenerationRequest request;
    final SequenceListener listener;
    final KvCache cache;
    final Sampler sampler;
    final SequenceOutput output;
    /** The output constraint's state, or null for free text. */
    final TokenConstraint constraint;
    final long submittedNanos;
    private final Engine engine;

    /** Prompt then generated tokens; the last generated one is not in the cache until the next step. */
    int[] tokens;
    int size;
    /** Tokens whose K/V are in the cache. */
    int computed;
    int cachedPromptTokens = -1; // -1: not admitted yet
    int generated;
    long firstTokenNanos;
    long lastTokenNanos;
    /** Step number in which the scheduler last gave this sequence tokens. */
    long scheduledStep = -1;
    int preemptions;
    /** Set the first time the scheduler gives it tokens: it no longer counts against the wait-queue limit. */
    boolean admitted;
    boolean finished;
    volatile boolean cancelRequested;

    Sequence(Engine engine, GenerationRequest request, SequenceListener listener, KvCache cache, Sampler sampler,
             SequenceOutput output, TokenConstraint constraint, long submittedNanos) {
        this.engine = engine;
        this.request = request;
        this.listener = listener;
        this.cache = cache;
        this.sampler = sampler;
        this.output = output;
        this.constraint = constraint;
        this.submittedNanos = submittedNanos;
        this.tokens = Arrays.copyOf(request.prompt(), request.prompt().length + 16);
        this.size = request.prompt().length;
    }

    int promptLength() {
        return request.prompt().length;
    }

    /** Tokens before this index may be shared through the prefix cache (their KV depends on ids alone). */
    int shareableLength() {
        return request.multimodal() == null ? Integer.MAX_VALUE : request.multimodal().firstVisual();
    }

    /** Tokens still to run through the model before the next token can be sampled. */
    int pending() {
        return size - computed;
    }

    void append(int token) {
        if (size == tokens.length) tokens = Arrays.copyOf(tokens, size * 2);
        tokens[size++] = token;
    }

    int[] generatedIds() {
        return Arrays.copyOfRange(tokens, promptLength(), size);
    }

    @Override
    public String id() {
        return request.id();
    }

    @Override
    public void cancel() {
        cancelRequested = true;
        engine.wake();
    }
}
