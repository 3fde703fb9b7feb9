package dev.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.runtime.ReasoningMode;
import dev.qwen4j.runtime.grammar.Grammar;
import dev.qwen4j.runtime.grammar.JsonSchemaGrammar;
import dev.qwen4j.runtime.grammar.SchemaException;
import dev.qwen4j.runtime.SequenceResult;
import dev.qwen4j.runtime.TokenEvent;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.template.ChatTemplate;
import dev.qwen4j.template.ToolCallParser;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * POST /v1/chat/completions: messages through the model's chat template; thinking models' output is split
 * into {@code reasoning_content} and {@code content} (vLLM's field names).
 */
final class ChatCompletionsEndpoint extends GenerationEndpoint {
    private final LogprobsJson logprobsJson;

    ChatCompletionsEndpoint(ServedModel served, ServerConfig config) {
        super(served, config);
        this.logprobsJson = new LogprobsJson(served.runtime().tokenizer());
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
                defaultMaxTokens(), served.engine().maxModelLen(), served.runtime().tokenizer().vocabSize());
        // Reasoning is split only where the template lets the model think: a prompt that opens <think>, or a
        // hybrid template's switch. An Instruct template's output is all answer (and a JSON constraint
        // applies from its first token).
        ReasoningMode mode = prompt.thinkingOpened() ? ReasoningMode.SPLIT_STARTS_IN_REASONING
                : template.supportsThinkingSwitch() ? ReasoningMode.SPLIT : ReasoningMode.NONE;
        Grammar format = responseFormat(f), forcedCall = ToolChoice.grammar(f);
        if (format != null && forcedCall != null) {
            throw ApiException.invalid("tool_choice", "a forced tool call cannot be combined with a JSON response_format");
        }
        return new Prepared(prompt.prompt(), params, mode, prompt.withTools() ? new ToolCallParser() : null, logprobs(f),
                forcedCall != null ? forcedCall : format);
    }

    /** -1 without logprobs, else top_logprobs (0 when absent). */
    private static int logprobs(Fields f) {
        boolean on = Boolean.TRUE.equals(f.bool("logprobs"));
        Long top = f.integer("top_logprobs", 0, 20);
        if (top != null && !on) throw ApiException.invalid("top_logprobs", "top_logprobs needs logprobs: true");
        return on ? (top == null ? 0 : top.intValue()) : -1;
    }

    /**
     * The grammar response_format asks for: null for "text", any JSON object for "json_object", the schema's
     * grammar for "json_schema" (a schema keyword that cannot be enforced is a 400 naming it).
     */
    private static Grammar responseFormat(Fields f) {
        JsonNode rf = f.get("response_format");
        if (rf == null || rf.isNull()) return null;
        String type = rf.path("type").asText("");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> JsonSchemaGrammar.anyObject();
            case "json_schema" -> {
                JsonNode schema = rf.path("json_schema").path("schema");
                if (!schema.isObject() && !schema.isBoolean()) {
                    throw ApiException.invalid("response_format.json_schema.schema", "response_format.json_schema.schema must be a JSON schema object");
                }
                try {
                    yield JsonSchemaGrammar.compile(schema);
                } catch (SchemaException e) {
                    throw ApiException.invalid("response_format.json_schema.schema", e.getMessage());
                }
            }
            default -> throw ApiException.invalid("response_format.type",
                    "response_format.type must be 'text', 'json_object' or 'json_schema' but was '" + type + "'");
        };
    }

    private static void rejectUnsupported(Fields f) {
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
    protected ObjectNode firstChunk(String id, long created, Prepared p) {
        ObjectNode delta = HttpIo.JSON.createObjectNode();
        delta.put("role", "assistant");
        delta.put("content", "");
        return chunkWith(id, created, delta, null);
    }

    @Override
    protected List<ObjectNode> deltaChunks(String id, long created, TokenEvent e, Prepared p) {
        if (e.logprobs() != null) p.pendingLogprobs().add(e.logprobs());
        List<ObjectNode> out = deltas(id, created, e.reasoning(),
                p.tools() == null ? new ToolCallParser.Delta(e.content(), List.of()) : p.tools().push(e.content()), p);
        if (!out.isEmpty()) completeFinalChunk(out.getFirst(), p);
        return out;
    }

    /** Attaches the log-probabilities of tokens streamed since the last chunk that carried text. */
    @Override
    protected void completeFinalChunk(ObjectNode chunk, Prepared p) {
        if (p.logprobs() < 0 || p.pendingLogprobs().isEmpty()) return;
        ((ObjectNode) chunk.get("choices").get(0)).set("logprobs", logprobsJson.chat(p.pendingLogprobs()));
        p.pendingLogprobs().clear();
    }

    @Override
    protected List<ObjectNode> flushChunks(String id, long created, Prepared p) {
        return p.tools() == null ? List.of() : deltas(id, created, "", p.tools().flush(), p);
    }

    private List<ObjectNode> deltas(String id, long created, String reasoning, ToolCallParser.Delta d, Prepared p) {
        List<ObjectNode> out = new ArrayList<>();
        if (!reasoning.isEmpty() || !d.content().isEmpty()) {
            ObjectNode delta = HttpIo.JSON.createObjectNode();
            if (!reasoning.isEmpty()) delta.put("reasoning_content", reasoning);
            if (!d.content().isEmpty()) delta.put("content", d.content());
            out.add(chunkWith(id, created, delta, null));
        }
        int index = p.tools() == null ? 0 : p.tools().toolCallCount() - d.toolCalls().size();
        for (ToolCallParser.ToolCall call : d.toolCalls()) {
            // Each call goes out whole in one delta: name and complete arguments (clients concatenate either way).
            ObjectNode delta = HttpIo.JSON.createObjectNode();
            ObjectNode tc = toolCall(call, index++);
            delta.putArray("tool_calls").add(tc);
            out.add(chunkWith(id, created, delta, null));
        }
        return out;
    }

    private static ObjectNode toolCall(ToolCallParser.ToolCall call, int index) {
        ObjectNode tc = HttpIo.JSON.createObjectNode();
        tc.put("index", index);
        tc.put("id", "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24));
        tc.put("type", "function");
        ObjectNode fn = tc.putObject("function");
        fn.put("name", call.name());
        fn.put("arguments", call.arguments());
        return tc;
    }

    @Override
    protected String finishReason(SequenceResult r, Prepared p) {
        boolean called = p.tools() != null && p.tools().toolCallCount() > 0;
        return called && "stop".equals(r.reason().openAiName()) ? "tool_calls" : r.reason().openAiName();
    }

    @Override
    protected ObjectNode finalChunk(String id, long created, String finishReason) {
        return chunkWith(id, created, HttpIo.JSON.createObjectNode(), finishReason);
    }

    @Override
    protected ObjectNode response(String id, long created, SequenceResult r, List<TokenEvent> events, Prepared p) {
        StringBuilder reasoning = new StringBuilder(), content = new StringBuilder();
        List<ToolCallParser.ToolCall> calls = new ArrayList<>();
        List<dev.qwen4j.runtime.TokenLogprobs> logprobs = new ArrayList<>();
        for (TokenEvent e : events) {
            if (e.logprobs() != null) logprobs.add(e.logprobs());
            reasoning.append(e.reasoning());
            if (p.tools() == null) {
                content.append(e.content());
            } else {
                ToolCallParser.Delta d = p.tools().push(e.content());
                content.append(d.content());
                calls.addAll(d.toolCalls());
            }
        }
        if (p.tools() != null) content.append(p.tools().flush().content());
        ObjectNode c = HttpIo.JSON.createObjectNode();
        c.put("id", id);
        c.put("object", "chat.completion");
        c.put("created", created);
        c.put("model", served.name());
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (content.isEmpty() && !calls.isEmpty()) message.putNull("content");
        else message.put("content", content.toString());
        if (reasoning.isEmpty()) message.putNull("reasoning_content");
        else message.put("reasoning_content", reasoning.toString());
        message.putNull("refusal");
        if (!calls.isEmpty()) {
            var array = message.putArray("tool_calls");
            for (int i = 0; i < calls.size(); i++) {
                ObjectNode tc = toolCall(calls.get(i), i);
                tc.remove("index"); // the index belongs to streamed deltas only
                array.add(tc);
            }
        }
        if (p.logprobs() >= 0) choice.set("logprobs", logprobsJson.chat(logprobs));
        else choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(r, p));
        c.set("usage", usage(r));
        return c;
    }
}
