package dev.qwen4j.api;

import dev.qwen4j.model.ContextOverflowException;
import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvBlockPool;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.model.LanguageModel;
import dev.qwen4j.model.MultimodalPrompt;
import dev.qwen4j.model.VisionLanguageModel;
import dev.qwen4j.runtime.grammar.TokenConstraint;
import dev.qwen4j.runtime.sampling.Sampler;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.runtime.sampling.StopStringMatcher;
import dev.qwen4j.tokenizer.StreamingDecoder;
import dev.qwen4j.tokenizer.Tokenizer;

/**
 * Generates from one sequence at a time: chunked prefill of the prompt, then token-by-token decode
 * with sampling, EOS ids, stop strings and max tokens. The KV cache is kept between calls so a chat
 * can continue where the last turn ended ({@link #generate} with a prompt that extends the cached one
 * reuses the common prefix). Vision-language models also take a {@link MultimodalInput}: its images are
 * encoded, spliced into the prompt and prefilled in the same chunks, and decoding continues at the
 * M-RoPE positions the prompt implies.
 */
public final class Generator implements AutoCloseable {
    /** Prompt tokens per prefill step: bounds activation memory while keeping matmuls wide. */
    public static final int PREFILL_CHUNK = 256;
    private final Qwen3Runtime runtime;
    private final LanguageModel model;
    private final Tokenizer tokenizer;
    private final KvCache cache;
    /** Ids of the cached tokens; -1 at visual tokens, which must never count as a shared prefix. */
    private int[] cachedTokens = new int[0];
    /** M-RoPE offset of the cached sequence: rotary position = cache index + ropeDelta (0 without images). */
    private int ropeDelta;
    /** The logits before sampling changed them, for a constrained step that must sample again (reused). */
    private float[] unmasked = new float[0];

    Generator(Qwen3Runtime runtime) {
        this.runtime = runtime;
        this.model = runtime.model();
        this.tokenizer = runtime.tokenizer();
        KvBlockPool pool = model.newKvPool(64, 0);
        this.cache = new KvCache(pool, model.contextLength());
    }

    /** Forgets the cached conversation. */
    public void reset() {
        cache.truncate(0);
        cachedTokens = new int[0];
        ropeDelta = 0;
    }

    /** Prefills prompt and returns the logits of its last position (reusing any cached prefix). */
    public float[] prefill(int[] prompt, GenerationListener listener) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one token");
        if (prompt.length > model.contextLength()) throw new ContextOverflowException(prompt.length, model.contextLength());
        int reuse = commonPrefix(prompt);
        if (reuse == prompt.length) reuse--; // the last position must be recomputed to get its logits
        cache.truncate(reuse);
        ForwardBatch batch = new ForwardBatch();
        float[] logits = null;
        for (int from = reuse; from < prompt.length; from += PREFILL_CHUNK) {
            int to = Math.min(prompt.length, from + PREFILL_CHUNK);
            batch.clear();
            batch.addSequence(cache, prompt, from, to, to == prompt.length);
            logits = model.forward(batch);
            listener.prefillProgress(to, prompt.length);
        }
        cachedTokens = prompt.clone();
        // the reused prefix stops before any visual token, so the cache now holds text only
        ropeDelta = 0;
        return logits;
    }

    /**
     * Encodes the images/videos, then prefills the prompt in {@link #PREFILL_CHUNK}-token chunks (each with
     * its own slice of positions, visual embeddings and DeepStack rows) and returns the last position's
     * logits. A cached prefix is reused up to the first image.
     */
    public float[] prefill(MultimodalInput input, GenerationListener listener) {
        VisionLanguageModel vlm = visionModel();
        int[] ids = input.ids();
        if (ids.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one token");
        MultimodalPrompt prompt = vlm.prepare(ids, input.images(), input.videos());
        int[] masked = prompt.idsWithVisualMasked();
        int reuse = commonPrefix(masked);
        if (reuse == ids.length) reuse--;
        cache.truncate(reuse);
        ForwardBatch batch = new ForwardBatch();
        float[] logits = null;
        for (int from = reuse; from < ids.length; from += PREFILL_CHUNK) {
            int to = Math.min(ids.length, from + PREFILL_CHUNK);
            batch.clear();
            prompt.addChunk(batch, cache, from, to, to == ids.length);
            logits = model.forward(batch);
            listener.prefillProgress(to, ids.length);
        }
        cachedTokens = masked;
        ropeDelta = prompt.ropeDelta();
        return logits;
    }

    /** {@link #generate(int[], SamplingParams, GenerationListener)} for a prompt with images or videos. */
    public GenerationResult generate(MultimodalInput input, SamplingParams params, GenerationListener listener) {
        return generate(input, params, null, listener);
    }

    /** {@link #generate(int[], SamplingParams, TokenConstraint, GenerationListener)} for a prompt with images or videos. */
    public GenerationResult generate(MultimodalInput input, SamplingParams params, TokenConstraint constraint, GenerationListener listener) {
        params.validate();
        long t0 = System.nanoTime();
        float[] logits = prefill(input, listener);
        return decode(input.ids(), cachedTokens, logits, params, constraint, listener, t0, System.nanoTime());
    }

    private VisionLanguageModel visionModel() {
        if (model instanceof VisionLanguageModel vlm) return vlm;
        throw new UnsupportedOperationException(runtime.dir() + " (" + runtime.modelType() + ") is a text-only model: it cannot take images or videos");
    }

    public GenerationResult generate(int[] prompt, SamplingParams params, GenerationListener listener) {
        return generate(prompt, params, null, listener);
    }

    /**
     * Generates with {@code constraint} (nullable) masking, before every sampling step, the tokens that would
     * leave its grammar; generation then ends exactly when the constrained output is complete.
     */
    public GenerationResult generate(int[] prompt, SamplingParams params, TokenConstraint constraint, GenerationListener listener) {
        params.validate();
        long t0 = System.nanoTime();
        float[] logits = prefill(prompt, listener);
        return decode(prompt, prompt, logits, params, constraint, listener, t0, System.nanoTime());
    }

    /** Samples from the prefill logits on; cacheIds are the prompt's ids as the prefix cache records them. */
    private GenerationResult decode(int[] prompt, int[] cacheIds, float[] logits, SamplingParams params, TokenConstraint constraint,
                                    GenerationListener listener, long t0, long t1) {
        Sampler sampler = new Sampler(params, model.vocabSize(), prompt);
        sampler.setMaskFrom(Math.min(model.vocabSize(), tokenizer.vocabSize()));
        StreamingDecoder decoder = tokenizer.newStreamingDecoder();
        StopStringMatcher stops = new StopStringMatcher(params.stop() == null ? java.util.List.of() : params.stop());
        java.util.Set<Integer> eos = params.eosTokenIds() != null && !params.eosTokenIds().isEmpty() ? params.eosTokenIds() : runtime.eosTokenIds();

        int[] out = new int[Math.max(16, Math.min(params.maxTokens(), 4096))];
        int n = 0;
        StringBuilder text = new StringBuilder();
        FinishReason finish = FinishReason.LENGTH;
        ForwardBatch batch = new ForwardBatch();
        long firstTokenAt = 0;
        while (true) {
            int token = sampleWithin(constraint, sampler, logits);
            sampler.accept(token);
            if (constraint != null) constraint.accept(token);
            if (n == out.length) out = java.util.Arrays.copyOf(out, out.length * 2);
            out[n++] = token;
            if (n == 1) firstTokenAt = System.nanoTime();
            boolean isEos = !params.ignoreEos() && eos.contains(token);
            if (isEos) {
                finish = FinishReason.STOP;
                String rest = decoder.flush();
                emit(listener, token, stops.push(rest).emit() + stops.flush(), text);
                break;
            }
            StopStringMatcher.Result r = stops.push(decoder.push(token));
            emit(listener, token, r.emit(), text);
            if (r.stopped()) {
                finish = FinishReason.STOP;
                break;
            }
            if (n >= params.maxTokens()) {
                emit(listener, -1, stops.push(decoder.flush()).emit() + stops.flush(), text);
                break;
            }
            if (cache.length() + 1 > model.contextLength()) {
                emit(listener, -1, stops.push(decoder.flush()).emit() + stops.flush(), text);
                break;
            }
            batch.clear();
            int slot = cache.length();
            if (ropeDelta == 0) {
                batch.add(cache, token, slot, true);
            } else {
                int p = MultimodalPrompt.decodePosition(slot, ropeDelta);
                batch.add(cache, token, slot, true, p, p, p);
            }
            logits = model.forward(batch, logits); // one vocabulary-sized buffer for the whole decode, not one per token
        }
        int[] ids = java.util.Arrays.copyOf(out, n);
        // The cache now holds prompt + all generated tokens but the last (never fed back).
        int[] all = java.util.Arrays.copyOf(cacheIds, prompt.length + n - 1);
        System.arraycopy(ids, 0, all, prompt.length, n - 1);
        cachedTokens = java.util.Arrays.copyOf(all, cache.length());
        long t2 = System.nanoTime();
        return new GenerationResult(ids, text.toString(), finish, prompt.length, t1 - t0, n > 1 ? t2 - firstTokenAt : 0);
    }

    /**
     * Samples, then checks the token against the constraint, and only when it does not fit masks the
     * original logits and samples again (as llama.cpp does). Greedy picks the same token as masking first;
     * sampling draws from the masked distribution (a rejected first draw is redrawn from it), and the full
     * vocabulary mask, the expensive part, is mostly skipped for a model that already follows the format.
     */
    private int sampleWithin(TokenConstraint constraint, Sampler sampler, float[] logits) {
        if (constraint == null || !constraint.isActive()) return sampler.sample(logits);
        if (unmasked.length != logits.length) unmasked = new float[logits.length];
        float[] original = unmasked; // reused: a vocabulary-sized copy per token would be 0.6 MB of garbage each
        System.arraycopy(logits, 0, original, 0, logits.length);
        int token = sampler.sample(logits);
        if (constraint.allows(token)) return token;
        constraint.mask(original);
        return sampler.sample(original);
    }

    private static void emit(GenerationListener listener, int token, String piece, StringBuilder text) {
        text.append(piece);
        if (token >= 0 || !piece.isEmpty()) listener.token(token, piece);
    }

    private int commonPrefix(int[] prompt) {
        int limit = Math.min(Math.min(prompt.length, cachedTokens.length), cache.length());
        int i = 0;
        while (i < limit && prompt[i] >= 0 && prompt[i] == cachedTokens[i]) i++;
        return i;
    }

    @Override
    public void close() {
        cache.close();
    }
}
