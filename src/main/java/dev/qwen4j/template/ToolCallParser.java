package dev.qwen4j.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Pulls Qwen3 (Hermes-style) tool calls out of streamed answer text: each
 * {@code <tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>} block becomes a {@link ToolCall}, and
 * everything else stays content. Text that may be the start of a block is held back until it is decided;
 * a block that never closes or is not valid JSON is given back as content, as the model wrote it.
 * Not thread-safe; one parser per generated sequence.
 */
public final class ToolCallParser {
    private static final String OPEN = "<tool_call>";
    private static final String CLOSE = "</tool_call>";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One call: the function name and its arguments as a JSON object text (OpenAI sends a string). */
    public record ToolCall(String name, String arguments) {}

    /** What a piece added: content text and the tool calls completed by it. */
    public record Delta(String content, List<ToolCall> toolCalls) {
        public boolean isEmpty() {
            return content.isEmpty() && toolCalls.isEmpty();
        }
    }

    private final StringBuilder pending = new StringBuilder();
    private boolean insideCall;
    /** Right after a call: newlines there are the template's layout between calls, not content. */
    private boolean afterCall;
    private int calls;

    /** Number of tool calls found so far. */
    public int toolCallCount() {
        return calls;
    }

    public Delta push(String piece) {
        pending.append(piece);
        StringBuilder content = new StringBuilder();
        List<ToolCall> found = new ArrayList<>();
        while (true) {
            if (afterCall) {
                while (!pending.isEmpty() && pending.charAt(0) == '\n') pending.deleteCharAt(0);
                if (pending.isEmpty()) break;
                afterCall = false;
            }
            String buffer = pending.toString();
            if (insideCall) {
                int end = buffer.indexOf(CLOSE);
                if (end < 0) break;
                String body = buffer.substring(0, end);
                ToolCall call = parse(body);
                if (call != null) {
                    found.add(call);
                    calls++;
                } else {
                    content.append(OPEN).append(body).append(CLOSE);
                }
                pending.delete(0, end + CLOSE.length());
                insideCall = false;
                afterCall = true;
                continue;
            }
            int start = buffer.indexOf(OPEN);
            if (start >= 0) {
                content.append(buffer, 0, start);
                pending.delete(0, start + OPEN.length());
                insideCall = true;
                continue;
            }
            int safe = buffer.length() - partialPrefix(buffer);
            content.append(buffer, 0, safe);
            pending.delete(0, safe);
            break;
        }
        return new Delta(content.toString(), found);
    }

    /** Gives back whatever is held (an unfinished block as raw text). */
    public Delta flush() {
        String rest = (insideCall ? OPEN : "") + pending;
        pending.setLength(0);
        insideCall = false;
        afterCall = false;
        return new Delta(rest, List.of());
    }

    private static ToolCall parse(String body) {
        try {
            JsonNode n = JSON.readTree(body.strip());
            if (n == null || !n.isObject() || !n.path("name").isTextual()) return null;
            JsonNode args = n.get("arguments");
            String arguments = args == null || args.isNull() ? "{}" : args.isTextual() ? args.asText() : JSON.writeValueAsString(args);
            return new ToolCall(n.get("name").asText(), arguments);
        } catch (java.io.IOException notJson) {
            return null;
        }
    }

    /** Length of the longest proper prefix of the open tag that text ends with. */
    private static int partialPrefix(String text) {
        for (int len = Math.min(OPEN.length() - 1, text.length()); len > 0; len--) {
            if (text.regionMatches(text.length() - len, OPEN, 0, len)) return len;
        }
        return 0;
    }
}
