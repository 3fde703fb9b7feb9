package dev.qwen4j.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Conversations beyond the golden fixtures (thinking history, tool loops with dict and string
 * arguments, tool responses, content parts with vision ids, a Qwen3-VL-Thinking-style template),
 * rendered by Python jinja2 (src/test/resources/template/generate_expectations.py).
 */
class ChatRendersTest {

    private static final Path GOLDEN_MODELS = Path.of("src/test/resources/golden/models");
    private static final Path RESOURCES = Path.of("src/test/resources/template");

    static ChatTemplate qwen3() {
        return ChatTemplate.fromModelDir(GOLDEN_MODELS.resolve("tiny-qwen3"));
    }

    static ChatTemplate qwen3Vl() {
        return ChatTemplate.fromModelDir(GOLDEN_MODELS.resolve("tiny-qwen3-vl"));
    }

    static ChatTemplate qwen3VlThinking() throws IOException {
        return new ChatTemplate(Files.readString(RESOURCES.resolve("qwen3_vl_thinking.jinja")));
    }

    @TestFactory
    Stream<DynamicTest> rendersLikeJinja2() throws IOException {
        Map<String, ChatTemplate> templates = Map.of(
                "qwen3", qwen3(), "qwen3_vl", qwen3Vl(), "qwen3_vl_thinking", qwen3VlThinking());
        Map<String, Object> fixture = new ObjectMapper().readValue(
                RESOURCES.resolve("chat_renders.json").toFile(), new TypeReference<>() {});
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cases = (List<Map<String, Object>>) fixture.get("cases");
        assertThat(cases).hasSizeGreaterThanOrEqualTo(18);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("template") + "/" + c.get("name"), () -> {
            @SuppressWarnings("unchecked")
            String rendered = templates.get((String) c.get("template")).render(
                    (List<Map<String, Object>>) c.get("messages"),
                    (List<Map<String, Object>>) c.get("tools"),
                    (Map<String, Object>) c.get("kwargs"));
            assertThat(rendered).isEqualTo(c.get("rendered"));
        }));
    }

    @Test
    void onlyTheHybridTemplateHasAThinkingSwitch() throws IOException {
        assertThat(qwen3().supportsThinkingSwitch()).isTrue();
        assertThat(qwen3Vl().supportsThinkingSwitch()).isFalse();
        assertThat(qwen3VlThinking().supportsThinkingSwitch()).isFalse();
    }

    @Test
    void onlyTheThinkingTemplateOpensReasoningInThePrompt() throws IOException {
        assertThat(qwen3().promptOpensThinking()).isFalse();
        assertThat(qwen3().promptOpensThinking(Map.of("enable_thinking", false))).isFalse();
        assertThat(qwen3Vl().promptOpensThinking()).isFalse();
        assertThat(qwen3VlThinking().promptOpensThinking()).isTrue();
    }

    @Test
    void aTemplateThatRejectsTheProbeDoesNotOpenThinking() {
        ChatTemplate strict = new ChatTemplate(
                "{% if messages[0].role != 'system' %}{{ raise_exception('system first') }}{% endif %}<think>\n");
        assertThat(strict.promptOpensThinking()).isFalse();
    }
}
