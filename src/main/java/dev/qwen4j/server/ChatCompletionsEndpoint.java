package dev.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.runtime.ReasoningMode;
import dev.qwen4j.runtime.SequenceResult;
import dev.qwen4j.runtime.TokenEvent;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.template.ChatTemplate;

/**
 * POST /v1/chat/completions: messages through the model's chat template; thinking models' output is split
 * into {@code reasoning_content} and {@code content} (vLLM's field names).
 */
final class ChatCompletionsEndpoint extends GenerationEndpoint {
    ChatCompletionsEndpoint(ServedModel served, ServerConfig config) {
        super(served, config);
    }

    @Override
    protected String idPrefix() {
        return "chatcmpl-";
    }

    @Override
    protected String promptParam() {
        return "messages";
    }

    @Override
    protected Prepared prepare(Fields f) {
        rejectUnsupported(f);
        ChatTemplate template = served.runtime().chatTemplate()
                .orElseThrow(() -> ApiException.invalid("messages", "This model has no chat template; use /v1/completions"));
        ChatPrompt.Result prompt = ChatPrompt.build(f, template, served.runtime().tokenizer(), served.imageInputs());
        SamplingParams params = SamplingRequest.read(f, served.runtime().generationDefaults(), prompt.prompt().ids().length,
                defaultMaxTokens(), served.engine().maxModelLen());
        ReasoningMode mode = prompt.thinkingOpened() ? ReasoningMode.SPLIT_STARTS_IN_REASONING : ReasoningMode.SPLIT;
        return new Prepared(prompt.prompt(), params, mode);
    }

    private static void rejectUnsupported(Fields f) {
        JsonNode tools = f.get("tools");
        if (tools != null && !(tools.isArray() && tools.isEmpty())) {
            throw ApiException.unsupported("tools", "Tool calling is not supported yet");
        }
        JsonNode rf = f.get("response_format");
        if (rf != null) {
            String type = rf.path("type").asText("");
            if (!type.equals("text")) {
                throw ApiException.unsupported("response_format", "response_format '" + type + "' is not supported yet; only 'text'");
            }
        }
        if (f.has("audio") || f.has("modalities") && !f.get("modalities").toString().equals("[\"text\"]")) {
            throw ApiException.unsupported("modalities", "Only text output is supported");
        }
    }

    private ObjectNode chunk(String id, long created) {
        ObjectNode c = HttpIo.JSON.createObjectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", created);
        c.put("model", served.name());
        return c;
    }

    private ObjectNode chunkWith(String id, long created, ObjectNode delta, String finishReason) {
        ObjectNode c = chunk(id, created);
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return c;
    }

    @Override
    protected ObjectNode firstChunk(String id, long created) {
        ObjectNode delta = HttpIo.JSON.createObjectNode();
        delta.put("role", "assistant");
        delta.put("content", "");
        return chunkWith(id, created, delta, null);
    }

    @Override
    protected ObjectNode deltaChunk(String id, long created, TokenEvent e) {
        if (e.reasoning().isEmpty() && e.content().isEmpty()) return null;
        ObjectNode delta = HttpIo.JSON.createObjectNode();
        if (!e.reasoning().isEmpty()) delta.put("reasoning_content", e.reasoning());
        if (!e.content().isEmpty()) delta.put("content", e.content());
        return chunkWith(id, created, delta, null);
    }

    @Override
    protected ObjectNode finalChunk(String id, long created, String finishReason) {
        return chunkWith(id, created, HttpIo.JSON.createObjectNode(), finishReason);
    }

    @Override
    protected ObjectNode response(String id, long created, SequenceResult r, String reasoning, String content) {
        ObjectNode c = HttpIo.JSON.createObjectNode();
        c.put("id", id);
        c.put("object", "chat.completion");
        c.put("created", created);
        c.put("model", served.name());
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        if (reasoning.isEmpty()) message.putNull("reasoning_content");
        else message.put("reasoning_content", reasoning);
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", r.reason().openAiName());
        c.set("usage", usage(r));
        return c;
    }
}
