package dev.qwen4j.template.jinja;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qwen4j.template.TemplateException;
import dev.qwen4j.template.TemplateRaisedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One template per interpreter feature, rendered by Python jinja2 3.1 in transformers' configuration
 * (see src/test/resources/template/generate_expectations.py). Outputs must match byte for byte; where
 * jinja2 raises, the interpreter must raise too, and with jinja2's message for the error kinds whose
 * wording templates and users depend on.
 */
class JinjaCompatibilityTest {

    private static final Path FEATURES = Path.of("src/test/resources/template/jinja_features.json");
    /** Python exception types whose message this interpreter reproduces word for word. */
    private static final List<String> SAME_MESSAGE = List.of("UndefinedError", "SecurityError", "TemplateError",
            "TemplateRuntimeError", "TemplateAssertionError", "ValueError", "OverflowError", "ZeroDivisionError");

    @TestFactory
    Stream<DynamicTest> matchesJinja2() throws IOException {
        Map<String, Object> fixture = new ObjectMapper().readValue(FEATURES.toFile(), new TypeReference<>() {});
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cases = (List<Map<String, Object>>) fixture.get("cases");
        assertThat(cases).hasSizeGreaterThan(100);
        return cases.stream().map(c -> DynamicTest.dynamicTest((String) c.get("name"), () -> check(c)));
    }

    @SuppressWarnings("unchecked")
    private static void check(Map<String, Object> testCase) {
        String source = (String) testCase.get("template");
        Map<String, Object> variables = new HashMap<>((Map<String, Object>) testCase.get("variables"));
        variables.put("raise_exception", (JinjaFunction) arguments -> {
            throw new TemplateRaisedException(String.valueOf(arguments.positional().getFirst()));
        });
        if (testCase.containsKey("expected")) {
            String rendered;
            try {
                rendered = Template.parse(source).render(variables);
            } catch (TemplateException e) {
                fail("jinja2 renders " + source + " but the interpreter failed: " + e.getMessage(), e);
                return;
            }
            assertThat(rendered).as(source).isEqualTo(testCase.get("expected"));
            return;
        }
        String errorType = (String) testCase.get("error");
        var thrown = assertThatThrownBy(() -> Template.parse(source).render(variables)).as(source)
                .isInstanceOf(TemplateException.class);
        if (errorType.equals("TemplateError")) {
            thrown.isInstanceOf(TemplateRaisedException.class);
        }
        if (SAME_MESSAGE.contains(errorType) || errorType.equals("TypeError")) {
            thrown.extracting(e -> ((TemplateException) e).detail()).isEqualTo(testCase.get("message"));
        }
    }
}
