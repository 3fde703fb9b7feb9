package dev.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.qwen4j.runtime.EngineClosedException;
import dev.qwen4j.runtime.EngineOverloadedException;
import dev.qwen4j.runtime.GenerationRequest;
import dev.qwen4j.runtime.PromptTooLongException;
import dev.qwen4j.runtime.ReasoningMode;
import dev.qwen4j.runtime.grammar.Grammar;
import dev.qwen4j.runtime.RequestHandle;
import dev.qwen4j.runtime.SequenceListener;
import dev.qwen4j.runtime.SequenceResult;
import dev.qwen4j.runtime.TokenEvent;
import dev.qwen4j.runtime.TokenLogprobs;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.template.ToolCallParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The flow both generation endpoints share: parse, submit to the engine, then either wait and answer one
 * JSON object or stream SSE chunks as tokens arrive. A client that disconnects (mid-stream, or while it
 * waits for a whole answer: {@link PeerClosedProbe}) cancels its request, which frees its KV blocks. Subclasses supply the prompt and the JSON shapes.
 */
abstract class GenerationEndpoint {
    /** Idle time after which a stream writes a keep-alive comment (and so notices a departed client). */
    private static final long KEEP_ALIVE_MILLIS = 5_000;
    /** How often a non-streaming request that has no new event checks whether its client is still there. */
    private static final long DISCONNECT_CHECK_MILLIS = 200;

    /**
     * What a request asks for, once parsed. Per request: the parser and the list hold streaming state.
     *
     * @param tools           the request's tool-call parser, or null without tools
     * @param logprobs        -1 for none, else the number of top alternatives to report per token
     * @param pendingLogprobs streamed tokens whose log-probabilities wait for the next chunk that carries text
     * @param streamedChars   characters of token text already reported with log-probabilities (completions' text_offset)
     * @param grammar         constrain the output to this grammar (response_format), or null
     * @param echo            text to put before the completion (completions' echo), or null
     */
    record Prepared(ModelPrompt prompt, SamplingParams params, ReasoningMode reasoning, ToolCallParser tools, int logprobs,
                    Grammar grammar, List<TokenLogprobs> pendingLogprobs, int[] streamedChars, String echo) {
        Prepared(ModelPrompt prompt, SamplingParams params, ReasoningMode reasoning, ToolCallParser tools, int logprobs,
                 Grammar grammar) {
            this(prompt, params, reasoning, tools, logprobs, grammar, new ArrayList<>(), new int[1], null);
        }

        Prepared(ModelPrompt prompt, SamplingParams params, ReasoningMode reasoning, ToolCallParser tools, int logprobs) {
            this(prompt, params, reasoning, tools, logprobs, null);
        }

        /** The same request for another choice: its own sampling params and fresh per-stream state. */
        Prepared forChoice(SamplingParams choiceParams) {
            return new Prepared(prompt, choiceParams, reasoning, tools == null ? null : new ToolCallParser(), logprobs, grammar,
                    new ArrayList<>(), new int[1], echo);
        }
    }

    /** Most choices ({@code n}) one request may ask for. */
    static final int MAX_CHOICES = 16;

    protected final ServedModel served;
    private final ServerConfig config;

    GenerationEndpoint(ServedModel served, ServerConfig config) {
        this.served = served;
        this.config = config;
    }

    protected abstract String idPrefix();

    protected abstract Prepared prepare(Fields f);

    /** Streamed chunks for one event (none when it adds nothing this endpoint shows). */
    protected abstract List<ObjectNode> deltaChunks(String id, long created, TokenEvent e, Prepared p);

    /** Chunks for text still held back when the sequence ends. */
    protected List<ObjectNode> flushChunks(String id, long created, Prepared p) {
        return List.of();
    }

    /** Adds what the last chunk still owes (chat: log-probabilities of tokens that showed no text). */
    protected void completeFinalChunk(ObjectNode chunk, Prepared p) {}

    /** OpenAI's finish_reason for a normally finished sequence. */
    protected String finishReason(SequenceResult r, Prepared p) {
        return r.reason().openAiName();
    }

    /** Chunks sent before any token (chat: the assistant role), or null. */
    protected abstract ObjectNode firstChunk(String id, long created, Prepared p);

    protected abstract ObjectNode finalChunk(String id, long created, String finishReason);

    /** The whole answer of a non-streaming request, from all its events. */
    protected abstract ObjectNode response(String id, long created, SequenceResult r, List<TokenEvent> events, Prepared p);

    final void handle(HttpExchange ex) throws IOException {
        Fields f = new Fields(HttpIo.readJsonObject(ex, config.maxBodyBytes()));
        String model = f.string("model");
        if (model != null && !model.equals(served.name())) throw ApiException.modelNotFound(model);
        boolean stream = Boolean.TRUE.equals(f.bool("stream"));
        boolean includeUsage = false;
        JsonNode so = f.get("stream_options");
        if (so != null) {
            if (!so.isObject()) throw ApiException.invalid("stream_options", "'stream_options' must be an object");
            JsonNode iu = so.get("include_usage");
            if (iu != null && !iu.isNull() && !iu.isBoolean()) throw ApiException.invalid("stream_options.include_usage", "must be a boolean");
            includeUsage = iu != null && iu.asBoolean();
        }
        Long nField = f.integer("n", 1, MAX_CHOICES);
        int n = nField == null ? 1 : nField.intValue();
        Prepared first = prepare(f);
        String id = idPrefix() + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        EventQueue events = new EventQueue();
        Prepared[] choices = new Prepared[n];
        List<RequestHandle> handles = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                // seeded choices get consecutive seeds, so they differ yet reproduce; they share the prompt's KV blocks
                SamplingParams params = i == 0 || first.params().hasRandomSeed() ? first.params()
                        : first.params().withSeed((first.params().seed() + i) & Long.MAX_VALUE);
                choices[i] = i == 0 ? first : first.forChoice(params);
                Prepared c = choices[i];
                handles.add(submit(new GenerationRequest(n == 1 ? id : id + "-" + i, c.prompt().ids(), c.params(), c.reasoning(),
                        deadline, c.prompt().multimodal(), c.logprobs(), c.grammar()), events.choice(i)));
            }
            if (stream) stream(ex, id, created, includeUsage, events, choices);
            else respond(ex, id, created, events, choices);
        } catch (InterruptedException e) {
            handles.forEach(RequestHandle::cancel);
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            handles.forEach(RequestHandle::cancel);
            throw e;
        }
    }

    private RequestHandle submit(GenerationRequest r, SequenceListener listener) {
        try {
            return served.engine().submit(r, listener);
        } catch (PromptTooLongException e) {
            throw new ApiException(400, "invalid_request_error", promptParam(), "context_length_exceeded", e.getMessage(), 0);
        } catch (EngineOverloadedException e) {
            throw new ApiException(429, "rate_limit_error", null, "server_busy", e.getMessage(), e.retryAfterSeconds());
        } catch (EngineClosedException e) {
            throw new ApiException(503, "server_error", null, "shutting_down", e.getMessage(), 1);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(promptParam(), e.getMessage());
        }
    }

    protected abstract String promptParam();

    private void respond(HttpExchange ex, String id, long created, EventQueue events, Prepared[] choices)
            throws IOException, InterruptedException {
        int n = choices.length;
        List<List<TokenEvent>> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) tokens.add(new ArrayList<>());
        SequenceResult[] results = new SequenceResult[n];
        PeerClosedProbe peer = PeerClosedProbe.of(ex.getLocalAddress(), ex.getRemoteAddress());
        long nextCheck = System.nanoTime() + DISCONNECT_CHECK_MILLIS * 1_000_000;
        for (int done = 0; done < n; ) {
            EventQueue.Indexed e = events.poll(DISCONNECT_CHECK_MILLIS);
            if (System.nanoTime() - nextCheck >= 0) {
                // Nothing is written until the answer is whole, so a departed client shows only in the
                // socket's state; the caller cancels the request, which frees its KV blocks.
                if (peer.peerClosed()) throw new IOException("the client closed the connection before the answer was ready");
                nextCheck = System.nanoTime() + DISCONNECT_CHECK_MILLIS * 1_000_000;
            }
            if (e == null) continue;
            if (e.event() instanceof TokenEvent t) {
                tokens.get(e.index()).add(t);
            } else if (e.event() instanceof SequenceResult r) {
                ApiException failure = failure(r);
                if (failure != null) throw failure;
                results[e.index()] = r;
                done++;
            }
        }
        ObjectNode body = response(id, created, results[0], tokens.get(0), choices[0]);
        if (n > 1) {
            ArrayNode all = body.putArray("choices");
            long completion = 0;
            for (int i = 0; i < n; i++) {
                ObjectNode choice = (ObjectNode) response(id, created, results[i], tokens.get(i), choices[i]).get("choices").get(0);
                choice.put("index", i);
                all.add(choice);
                completion += results[i].completionTokens();
            }
            body.set("usage", usage(results[0].promptTokens(), completion, results[0].cachedPromptTokens()));
        }
        HttpIo.sendJson(ex, 200, body);
    }

    private void stream(HttpExchange ex, String id, long created, boolean includeUsage, EventQueue events, Prepared[] choices)
            throws IOException, InterruptedException {
        int n = choices.length;
        try (SseWriter sse = new SseWriter(ex)) {
            for (int i = 0; i < n; i++) {
                ObjectNode first = firstChunk(id, created, choices[i]);
                if (first != null) sse.data(withUsageField(indexed(first, i), includeUsage));
            }
            long completion = 0;
            SequenceResult last = null;
            for (int done = 0; done < n; ) {
                EventQueue.Indexed e = events.poll(KEEP_ALIVE_MILLIS);
                if (e == null) {
                    sse.keepAlive();
                    continue;
                }
                int i = e.index();
                Prepared p = choices[i];
                if (e.event() instanceof TokenEvent t) {
                    for (ObjectNode chunk : deltaChunks(id, created, t, p)) sse.data(withUsageField(indexed(chunk, i), includeUsage));
                } else if (e.event() instanceof SequenceResult r) {
                    ApiException failure = failure(r);
                    if (failure != null) {
                        // Headers are gone already: the error travels as an event, as vLLM does.
                        sse.data(HttpIo.errorBody(failure));
                        sse.done();
                        return;
                    }
                    for (ObjectNode chunk : flushChunks(id, created, p)) sse.data(withUsageField(indexed(chunk, i), includeUsage));
                    ObjectNode fin = finalChunk(id, created, finishReason(r, p));
                    completeFinalChunk(fin, p);
                    sse.data(withUsageField(indexed(fin, i), includeUsage));
                    completion += r.completionTokens();
                    last = r;
                    done++;
                }
            }
            if (includeUsage) {
                ObjectNode usageChunk = finalChunk(id, created, null);
                usageChunk.putArray("choices");
                usageChunk.set("usage", usage(last.promptTokens(), completion, last.cachedPromptTokens()));
                sse.data(usageChunk);
            }
            sse.done();
        }
    }

    /** Sets the choice index of a chunk's (single) choice. */
    private static ObjectNode indexed(ObjectNode chunk, int index) {
        JsonNode cs = chunk.get("choices");
        if (cs != null) for (JsonNode c : cs) ((ObjectNode) c).put("index", index);
        return chunk;
    }

    private static ObjectNode withUsageField(ObjectNode chunk, boolean includeUsage) {
        if (includeUsage) chunk.putNull("usage"); // OpenAI sends usage: null on every chunk but the last
        return chunk;
    }

    /** The error to report for a sequence that did not finish normally, else null. */
    private static ApiException failure(SequenceResult r) {
        return switch (r.reason()) {
            case TIMEOUT -> new ApiException(504, "timeout_error", null, "request_timeout", "The request ran past the server's time limit", 0);
            case CANCELLED -> new ApiException(503, "server_error", null, "cancelled", "The request was cancelled (server shutting down)", 0);
            case ERROR -> new ApiException(500, "server_error", null, null, "Generation failed: " + r.error(), 0);
            default -> null;
        };
    }

    static ObjectNode usage(SequenceResult r) {
        return usage(r.promptTokens(), r.completionTokens(), r.cachedPromptTokens());
    }

    /** With several choices the prompt counts once and the completions add up, as OpenAI reports them. */
    static ObjectNode usage(long promptTokens, long completionTokens, long cachedPromptTokens) {
        ObjectNode u = HttpIo.JSON.createObjectNode();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", promptTokens + completionTokens);
        u.putObject("prompt_tokens_details").put("cached_tokens", cachedPromptTokens);
        return u;
    }

    /** Output length when the request names none (capped by the context): chat runs to the context limit, as vLLM does. */
    protected int defaultMaxTokens() {
        return Integer.MAX_VALUE;
    }
}
