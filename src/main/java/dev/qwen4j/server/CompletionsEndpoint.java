package dev.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.runtime.ReasoningMode;
import dev.qwen4j.runtime.SequenceResult;
import dev.qwen4j.runtime.TokenEvent;
import dev.qwen4j.runtime.sampling.SamplingParams;
import java.util.List;

/**
 * POST /v1/completions: a raw prompt (text or token ids), no chat template, one prompt per request; {@code echo}
 * puts the prompt's text before the completion.
 */
final class CompletionsEndpoint extends GenerationEndpoint {
    /** OpenAI's default max_tokens for the legacy completions API. */
    private static final int DEFAULT_MAX_TOKENS = 16;

    private final LogprobsJson logprobsJson;

    CompletionsEndpoint(ServedModel served, ServerConfig config) {
        super(served, config);
        this.logprobsJson = new LogprobsJson(served.runtime().tokenizer());
    }

    @Override
    protected String idPrefix() {
        return "cmpl-";
    }

    @Override
    protected String promptParam() {
        return "prompt";
    }

    @Override
    protected int defaultMaxTokens() {
        return DEFAULT_MAX_TOKENS;
    }

    @Override
    protected Prepared prepare(Fields f) {
        if (f.has("suffix")) throw ApiException.unsupported("suffix", "suffix is not supported");
        int[] ids = promptIds(f.get("prompt"));
        SamplingParams params = SamplingRequest.read(f, served.runtime().generationDefaults(), ids.length,
                defaultMaxTokens(), served.engine().maxModelLen(), served.runtime().tokenizer().vocabSize());
        Long logprobs = f.integer("logprobs", 0, 20);
        String echo = null;
        if (Boolean.TRUE.equals(f.bool("echo"))) {
            // OpenAI then also scores the prompt tokens; the engine computes log-probabilities for sampled tokens only
            if (logprobs != null) throw ApiException.unsupported("echo", "echo together with logprobs is not supported");
            JsonNode prompt = f.get("prompt");
            JsonNode text = prompt.isArray() && prompt.size() == 1 ? prompt.get(0) : prompt;
            echo = text.isTextual() ? text.asText() : served.runtime().tokenizer().decode(ids);
        }
        return new Prepared(ModelPrompt.text(ids), params, ReasoningMode.NONE, null, logprobs == null ? -1 : logprobs.intValue(),
                null, new java.util.ArrayList<>(), new int[1], echo);
    }

    /** A string, a one-element list of strings, a list of token ids, or a one-element list of such lists. */
    private int[] promptIds(JsonNode p) {
        if (p == null) throw ApiException.invalid("prompt", "'prompt' is required");
        if (p.isTextual()) return text(p.asText());
        if (p.isArray() && !p.isEmpty()) {
            if (p.get(0).isIntegralNumber()) return ids(p);
            if (p.size() > 1) throw ApiException.unsupported("prompt", "Only one prompt per request is supported; got " + p.size());
            JsonNode only = p.get(0);
            if (only.isTextual()) return text(only.asText());
            if (only.isArray() && !only.isEmpty()) return ids(only);
        }
        throw ApiException.invalid("prompt", "'prompt' must be a string, an array of token ids, or a one-element array of either");
    }

    private int[] text(String s) {
        if (s.isEmpty()) throw ApiException.invalid("prompt", "'prompt' must not be empty");
        return served.runtime().tokenizer().encode(s);
    }

    private static int[] ids(JsonNode arr) {
        int[] ids = new int[arr.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode n = arr.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToInt()) throw ApiException.invalid("prompt", "prompt token ids must be integers");
            ids[i] = n.asInt();
        }
        return ids;
    }

    private ObjectNode chunk(String id, long created, String text, String finishReason) {
        ObjectNode c = HttpIo.JSON.createObjectNode();
        c.put("id", id);
        c.put("object", "text_completion");
        c.put("created", created);
        c.put("model", served.name());
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.put("text", text);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return c;
    }

    /** With echo, the prompt text opens the stream. */
    @Override
    protected ObjectNode firstChunk(String id, long created, Prepared p) {
        return p.echo() == null || p.echo().isEmpty() ? null : chunk(id, created, p.echo(), null);
    }

    @Override
    protected List<ObjectNode> deltaChunks(String id, long created, TokenEvent e, Prepared p) {
        if (e.logprobs() != null) p.pendingLogprobs().add(e.logprobs());
        if (e.text().isEmpty()) return List.of();
        ObjectNode c = chunk(id, created, e.text(), null);
        completeFinalChunk(c, p);
        return List.of(c);
    }

    /** Attaches the log-probabilities of tokens streamed since the last chunk that carried text. */
    @Override
    protected void completeFinalChunk(ObjectNode chunk, Prepared p) {
        if (p.logprobs() < 0 || p.pendingLogprobs().isEmpty()) return;
        ObjectNode lp = logprobsJson.completion(p.pendingLogprobs(), p.streamedChars()[0]);
        ((ObjectNode) chunk.get("choices").get(0)).set("logprobs", lp);
        for (var t : lp.get("tokens")) p.streamedChars()[0] += t.asText().length();
        p.pendingLogprobs().clear();
    }

    @Override
    protected ObjectNode finalChunk(String id, long created, String finishReason) {
        return chunk(id, created, "", finishReason);
    }

    @Override
    protected ObjectNode response(String id, long created, SequenceResult r, List<TokenEvent> events, Prepared p) {
        ObjectNode c = chunk(id, created, p.echo() == null ? r.text() : p.echo() + r.text(), r.reason().openAiName());
        if (p.logprobs() >= 0) {
            List<dev.qwen4j.runtime.TokenLogprobs> lps = events.stream().map(TokenEvent::logprobs).filter(java.util.Objects::nonNull).toList();
            ((ObjectNode) c.get("choices").get(0)).set("logprobs", logprobsJson.completion(lps, 0));
        }
        c.set("usage", usage(r));
        return c;
    }
}
