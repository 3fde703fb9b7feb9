package dev.qwen4j.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rendered examples of spec §6.3 (Qwen3 chat template) and §6.4 (Qwen3-VL). */
class SpecExamplesTest {

    private final ChatTemplate qwen3 = ChatRendersTest.qwen3();

    private static Map<String, Object> message(String role, Object content) {
        return Map.of("role", role, "content", content);
    }

    @Test
    void singleUserTurnWithGenerationPrompt() {
        assertThat(qwen3.render(List.of(message("user", "Hi")), null, Map.of("add_generation_prompt", true)))
                .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void thinkingDisabledAppendsAnEmptyThinkBlock() {
        assertThat(qwen3.render(List.of(message("user", "Hi")), null,
                Map.of("add_generation_prompt", true, "enable_thinking", false)))
                .isEqualTo("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
    }

    @Test
    void thinkingFromEarlierTurnsIsDropped() {
        List<Map<String, Object>> messages = List.of(message("user", "Hi"),
                message("assistant", "<think>\nhmm\n</think>\n\nHello!"), message("user", "More?"));
        assertThat(qwen3.render(messages, null, Map.of("add_generation_prompt", true))).isEqualTo(
                "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
                        + "<|im_start|>user\nMore?<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void finalAssistantTurnGetsAnEmptyThinkBlock() {
        List<Map<String, Object>> messages = List.of(message("user", "Hi"), message("assistant", "Hello"));
        assertThat(qwen3.render(messages, null, Map.of())).isEqualTo(
                "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello<|im_end|>\n");
    }

    @Test
    void qwen3VlImagePlaceholder() {
        List<Map<String, Object>> parts = List.of(Map.of("type", "image", "image", "cat.png"),
                Map.of("type", "text", "text", "Describe this image."));
        assertThat(ChatRendersTest.qwen3Vl().render(List.of(message("user", parts)), null,
                Map.of("add_generation_prompt", true))).isEqualTo(
                "<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>Describe this image.<|im_end|>\n"
                        + "<|im_start|>assistant\n");
    }
}
