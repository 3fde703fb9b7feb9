package dev.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.qwen4j.runtime.EngineClosedException;
import dev.qwen4j.runtime.EngineOverloadedException;
import dev.qwen4j.runtime.GenerationRequest;
import dev.qwen4j.runtime.PromptTooLongException;
import dev.qwen4j.runtime.ReasoningMode;
import dev.qwen4j.runtime.grammar.Grammar;
import dev.qwen4j.runtime.RequestHandle;
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
 * JSON object or stream SSE chunks as tokens arrive. A client that disconnects mid-stream cancels its
 * request, which frees its KV blocks. Subclasses supply the prompt and the JSON shapes.
 */
abstract class GenerationEndpoint {
    /** Idle time after which a stream writes a keep-alive comment (and so notices a departed client). */
    private static final long KEEP_ALIVE_MILLIS = 5_000;

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
    }

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
        Prepared p = prepare(f);
        String id = idPrefix() + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        EventQueue events = new EventQueue();
        RequestHandle handle = submit(new GenerationRequest(id, p.prompt().ids(), p.params(), p.reasoning(), deadline, p.prompt().multimodal(), p.logprobs(), p.grammar()), events);
        try {
            if (stream) stream(ex, id, created, includeUsage, events, p);
            else respond(ex, id, created, events, p);
        } catch (InterruptedException e) {
            handle.cancel();
            Thread.currentThread().interrupt();
        } catch (IOException clientGone) {
            handle.cancel();
            throw clientGone;
        }
    }

    private RequestHandle submit(GenerationRequest r, EventQueue events) {
        try {
            return served.engine().submit(r, events);
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

    private void respond(HttpExchange ex, String id, long created, EventQueue events, Prepared p) throws IOException, InterruptedException {
        List<TokenEvent> tokens = new ArrayList<>();
        while (true) {
            Object e = events.take();
            if (e instanceof TokenEvent t) {
                tokens.add(t);
            } else if (e instanceof SequenceResult r) {
                ApiException failure = failure(r);
                if (failure != null) throw failure;
                HttpIo.sendJson(ex, 200, response(id, created, r, tokens, p));
                return;
            }
        }
    }

    private void stream(HttpExchange ex, String id, long created, boolean includeUsage, EventQueue events, Prepared p)
            throws IOException, InterruptedException {
        try (SseWriter sse = new SseWriter(ex)) {
            ObjectNode first = firstChunk(id, created, p);
            if (first != null) sse.data(withUsageField(first, includeUsage));
            while (true) {
                Object e = events.poll(KEEP_ALIVE_MILLIS);
                if (e == null) {
                    sse.keepAlive();
                } else if (e instanceof TokenEvent t) {
                    for (ObjectNode chunk : deltaChunks(id, created, t, p)) sse.data(withUsageField(chunk, includeUsage));
                } else if (e instanceof SequenceResult r) {
                    ApiException failure = failure(r);
                    if (failure != null) {
                        // Headers are gone already: the error travels as an event, as vLLM does.
                        sse.data(HttpIo.errorBody(failure));
                    } else {
                        for (ObjectNode chunk : flushChunks(id, created, p)) sse.data(withUsageField(chunk, includeUsage));
                        ObjectNode fin = finalChunk(id, created, finishReason(r, p));
                        completeFinalChunk(fin, p);
                        sse.data(withUsageField(fin, includeUsage));
                        if (includeUsage) {
                            ObjectNode last = finalChunk(id, created, null);
                            last.putArray("choices");
                            last.set("usage", usage(r));
                            sse.data(last);
                        }
                    }
                    sse.done();
                    return;
                }
            }
        }
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
        ObjectNode u = HttpIo.JSON.createObjectNode();
        u.put("prompt_tokens", r.promptTokens());
        u.put("completion_tokens", r.completionTokens());
        u.put("total_tokens", r.promptTokens() + r.completionTokens());
        u.putObject("prompt_tokens_details").put("cached_tokens", r.cachedPromptTokens());
        return u;
    }

    /** Output length when the request names none (capped by the context): chat runs to the context limit, as vLLM does. */
    protected int defaultMaxTokens() {
        return Integer.MAX_VALUE;
    }
}
