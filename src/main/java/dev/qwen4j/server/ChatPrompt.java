package dev.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qwen4j.template.ChatTemplate;
import dev.qwen4j.template.TemplateException;
import dev.qwen4j.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A chat request's messages → the model's prompt ids: validates roles and content (a string, or a list of
 * text and image parts), renders the chat template with {@code add_generation_prompt} and the request's
 * {@code chat_template_kwargs} (e.g. {@code enable_thinking}), and tokenizes.
 */
final class ChatPrompt {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    /**
     * @param thinkingOpened the rendered prompt ends inside {@code <think>}: output starts as reasoning
     * @param withTools      tools were rendered into the prompt, so the answer may hold tool calls
     */
    record Result(ModelPrompt prompt, boolean thinkingOpened, boolean withTools) {}

    private ChatPrompt() {}

    static Result build(Fields f, ChatTemplate template, Tokenizer tokenizer, ImageInputs imageInputs) {
        JsonNode messagesNode = f.get("messages");
        if (messagesNode == null || !messagesNode.isArray() || messagesNode.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty array of messages");
        }
        List<ImagePart> images = new ArrayList<>();
        List<Map<String, Object>> messages = new ArrayList<>();
        for (int i = 0; i < messagesNode.size(); i++) messages.add(message(messagesNode.get(i), "messages[" + i + "]", images));

        Map<String, Object> kwargs = new LinkedHashMap<>();
        JsonNode extra = f.get("chat_template_kwargs");
        if (extra != null) {
            if (!extra.isObject()) throw ApiException.invalid("chat_template_kwargs", "'chat_template_kwargs' must be an object");
            kwargs.putAll(HttpIo.JSON.convertValue(extra, Map.class));
        }
        kwargs.put("add_generation_prompt", true);
        List<Map<String, Object>> tools = tools(f);
        ImageInputs.PromptRenderer renderer = new ImageInputs.PromptRenderer() {
            @Override
            public String render(List<Map<String, Object>> ms) {
                try {
                    return template.render(ms, tools, kwargs);
                } catch (TemplateException e) {
                    // The template's own raise_exception calls are about the conversation, i.e. the request.
                    throw ApiException.invalid("messages", "The chat template rejected the messages: " + e.getMessage());
                }
            }

            @Override
            public int[] tokenize(String text) {
                return tokenizer.encode(text);
            }
        };
        return new Result(imageInputs.prompt(messages, images, renderer), template.promptOpensThinking(kwargs), tools != null);
    }

    /**
     * The request's function tools for the template, or null: without tools, or with tool_choice "none" (the
     * model is then not told about them). "required" and a named function keep the tools in the prompt and are
     * enforced by constrained decoding ({@link ToolChoice}).
     */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> tools(Fields f) {
        JsonNode tools = f.get("tools");
        if (tools == null || tools.isArray() && tools.isEmpty()) return null;
        if (!tools.isArray()) throw ApiException.invalid("tools", "'tools' must be an array");
        JsonNode choice = f.get("tool_choice");
        if (choice != null && choice.isTextual() && choice.asText().equals("none")) return null;
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String p = "tools[" + i + "]";
            if (!t.isObject() || !"function".equals(t.path("type").asText())) throw ApiException.invalid(p + ".type", p + ".type must be 'function'");
            if (!t.path("function").path("name").isTextual()) throw ApiException.invalid(p + ".function.name", p + ".function.name must be a string");
            out.add(HttpIo.JSON.convertValue(t, LinkedHashMap.class));
        }
        return out;
    }

    private static Map<String, Object> message(JsonNode m, String param, List<ImagePart> images) {
        if (m == null || !m.isObject()) throw ApiException.invalid(param, param + " must be an object");
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
            throw ApiException.invalid(param + ".role", param + ".role must be one of " + ROLES);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> out = HttpIo.JSON.convertValue(m, LinkedHashMap.class);
        // Qwen templates know no "developer" role; OpenAI defines it as the system prompt of newer models.
        if (role.asText().equals("developer")) out.put("role", "system");
        JsonNode content = m.get("content");
        if (content == null || content.isNull()) {
            if (!role.asText().equals("assistant")) throw ApiException.invalid(param + ".content", param + ".content is required");
            out.put("content", "");
        } else if (content.isTextual()) {
            out.put("content", content.asText());
        } else if (content.isArray()) {
            out.put("content", parts(content, param + ".content", images));
        } else {
            throw ApiException.invalid(param + ".content", param + ".content must be a string or an array of content parts");
        }
        return out;
    }

    /** Text-only part lists become one string (the text templates expect strings); with images, a part list. */
    private static Object parts(JsonNode content, String param, List<ImagePart> images) {
        List<Map<String, Object>> parts = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        boolean hasImage = false;
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String p = param + "[" + j + "]";
            String type = part != null && part.get("type") != null ? part.get("type").asText() : "";
            switch (type) {
                case "text" -> {
                    JsonNode t = part.get("text");
                    if (t == null || !t.isTextual()) throw ApiException.invalid(p + ".text", p + ".text must be a string");
                    if (!text.isEmpty()) text.append('\n');
                    text.append(t.asText());
                    parts.add(Map.of("type", "text", "text", t.asText()));
                }
                case "image_url" -> {
                    JsonNode url = part.path("image_url").path("url");
                    if (!url.isTextual()) throw ApiException.invalid(p + ".image_url.url", p + ".image_url.url must be a string");
                    images.add(new ImagePart(url.asText(), p));
                    parts.add(Map.of("type", "image"));
                    hasImage = true;
                }
                default -> throw ApiException.invalid(p + ".type", p + ".type must be 'text' or 'image_url' but was '" + type + "'");
            }
        }
        return hasImage ? parts : text.toString();
    }
}
