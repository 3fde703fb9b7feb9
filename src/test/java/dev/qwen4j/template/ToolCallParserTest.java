package dev.qwen4j.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolCallParserTest {
    /** Feeds text in pieces of the given size and gathers the result. */
    private static Object[] feed(String text, int pieceSize) {
        ToolCallParser p = new ToolCallParser();
        StringBuilder content = new StringBuilder();
        List<ToolCallParser.ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < text.length(); i += pieceSize) {
            ToolCallParser.Delta d = p.push(text.substring(i, Math.min(text.length(), i + pieceSize)));
            content.append(d.content());
            calls.addAll(d.toolCalls());
        }
        content.append(p.flush().content());
        return new Object[] {content.toString(), calls};
    }

    @Test
    @SuppressWarnings("unchecked")
    void callsAreExtractedWhateverThePieceBoundaries() {
        String text = "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>";
        for (int size : new int[] {1, 2, 3, 7, 1000}) {
            Object[] r = feed(text, size);
            assertThat(r[0]).as("piece size %d", size).isEqualTo("Let me check.\n");
            List<ToolCallParser.ToolCall> calls = (List<ToolCallParser.ToolCall>) r[1];
            assertThat(calls).containsExactly(new ToolCallParser.ToolCall("get_weather", "{\"city\":\"Paris\",\"days\":2}"),
                    new ToolCallParser.ToolCall("get_time", "{}"));
        }
    }

    @Test
    void textThatOnlyLooksLikeATagStaysContent() {
        assertThat(feed("a <tool b <tool_cal", 1)[0]).isEqualTo("a <tool b <tool_cal");
        assertThat(feed("x <tool_call>{not json}</tool_call> y", 4)[0]).isEqualTo("x <tool_call>{not json}</tool_call> y");
        assertThat(feed("unfinished <tool_call>{\"name\": \"f\"", 3)[0]).isEqualTo("unfinished <tool_call>{\"name\": \"f\"");
    }
}
