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

/** The finished-message splitter against the Qwen3 template's own expressions evaluated by jinja2. */
class ReasoningSplitTest {

    static List<Map<String, String>> pythonSplits() throws IOException {
        Map<String, List<Map<String, String>>> fixture = new ObjectMapper().readValue(
                Path.of("src/test/resources/template/reasoning_splits.json").toFile(), new TypeReference<>() {});
        return fixture.get("cases");
    }

    @TestFactory
    Stream<DynamicTest> splitsLikeTheQwen3Template() throws IOException {
        return pythonSplits().stream().map(c -> DynamicTest.dynamicTest("[" + c.get("text").replace("\n", "\\n") + "]", () ->
                assertThat(ReasoningSplit.of(c.get("text")))
                        .isEqualTo(new ReasoningSplit(c.get("reasoning"), c.get("content")))));
    }
}
