package dev.qwen4j.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The 16 rendered conversations in the golden fixtures, produced by Python jinja2 as transformers configures it. */
class GoldenChatTemplateTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    @TestFactory
    Stream<DynamicTest> rendersEveryGoldenConversationByteExactly() throws IOException {
        Map<String, ChatTemplate> templates = Map.of(
                "qwen3", ChatTemplate.fromModelDir(GOLDEN.resolve("models/tiny-qwen3")),
                "qwen3_vl", ChatTemplate.fromModelDir(GOLDEN.resolve("models/tiny-qwen3-vl")));
        Map<String, Object> fixture = new ObjectMapper().readValue(
                GOLDEN.resolve("cases/tokenizer.json").toFile(), new TypeReference<>() {});
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cases = (List<Map<String, Object>>) fixture.get("chat_templates");
        assertThat(cases).hasSize(16);
        return cases.stream().map(golden -> DynamicTest.dynamicTest(
                golden.get("template") + "/" + golden.get("name") + " " + golden.get("kwargs"), () -> {
                    @SuppressWarnings("unchecked")
                    String rendered = templates.get((String) golden.get("template")).render(
                            (List<Map<String, Object>>) golden.get("messages"),
                            (List<Map<String, Object>>) golden.get("tools"),
                            (Map<String, Object>) golden.get("kwargs"));
                    assertThat(rendered).isEqualTo(golden.get("rendered"));
                }));
    }
}
