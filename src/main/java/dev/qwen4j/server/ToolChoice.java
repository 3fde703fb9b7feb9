package dev.qwen4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.runtime.grammar.Grammar;
import dev.qwen4j.runtime.grammar.JsonSchemaGrammar;
import dev.qwen4j.runtime.grammar.SchemaException;

/**
 * tool_choice: "auto" and "none" leave the answer free; "required" and {"type": "function", "function":
 * {"name": …}} force exactly one call in Qwen's format, {@code <tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>},
 * by constrained decoding: the name is one of the tools (or the named one) and the arguments follow that
 * function's parameters schema.
 */
final class ToolChoice {
    private ToolChoice() {}

    private static final String OPEN = "<tool_call>\n", CLOSE = "\n</tool_call>";

    /** The grammar forcing a call, or null when the request does not force one. */
    static Grammar grammar(Fields f) {
        JsonNode choice = f.get("tool_choice");
        if (choice == null || choice.isNull()) return null;
        JsonNode tools = f.get("tools");
        String forced;
        if (choice.isTextual()) {
            switch (choice.asText()) {
                case "auto", "none" -> {
                    return null;
                }
                case "required" -> forced = null;
                default -> throw ApiException.invalid("tool_choice", "tool_choice must be 'auto', 'none', 'required' or a function object");
            }
        } else if (choice.isObject() && "function".equals(choice.path("type").asText()) && choice.path("function").path("name").isTextual()) {
            forced = choice.path("function").path("name").asText();
        } else {
            throw ApiException.invalid("tool_choice", "tool_choice must be 'auto', 'none', 'required' or {\"type\": \"function\", \"function\": {\"name\": ...}}");
        }
        if (tools == null || !tools.isArray() || tools.isEmpty()) {
            throw ApiException.invalid("tool_choice", "tool_choice '" + (forced == null ? "required" : forced) + "' needs tools");
        }
        ArrayNode calls = HttpIo.JSON.createArrayNode();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode fn = tools.get(i).path("function");
            String name = fn.path("name").asText();
            if (forced != null && !forced.equals(name)) continue;
            ObjectNode call = calls.addObject();
            call.put("type", "object");
            ObjectNode props = call.putObject("properties");
            props.putObject("name").put("const", name);
            JsonNode params = fn.get("parameters");
            props.set("arguments", params != null && params.isObject() ? params : HttpIo.JSON.createObjectNode().put("type", "object"));
            call.putArray("required").add("name").add("arguments");
            call.put("additionalProperties", false);
        }
        if (calls.isEmpty()) throw ApiException.invalid("tool_choice", "tool_choice names '" + forced + "', which is not among the tools");
        JsonNode schema = calls.size() == 1 ? calls.get(0) : HttpIo.JSON.createObjectNode().set("anyOf", calls);
        try {
            return JsonSchemaGrammar.compileFramed(OPEN, schema, CLOSE);
        } catch (SchemaException e) {
            throw ApiException.invalid("tools", "a forced tool call cannot enforce this function's parameters: " + e.getMessage());
        }
    }
}
