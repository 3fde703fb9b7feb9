package dev.qwen4j.template.jinja;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Floats print through Python's repr in {@code {{ }}} and {@code tojson}, and through printf-style
 * conversions in {@code %}; 400 doubles (random bit patterns, subnormals, ties) against Python's output.
 */
class FloatFormattingTest {

    private static List<Map<String, String>> cases;

    @BeforeAll
    static void load() throws IOException {
        Map<String, List<Map<String, String>>> fixture = new ObjectMapper().readValue(
                Path.of("src/test/resources/template/float_formats.json").toFile(), new TypeReference<>() {});
        cases = fixture.get("cases");
    }

    private static double value(Map<String, String> c) {
        return Double.longBitsToDouble(HexFormat.fromHexDigitsToLong(c.get("bits")));
    }

    @Test
    void reprMatchesPython() {
        for (Map<String, String> c : cases) {
            assertThat(PyFloatFormat.repr(value(c))).as(c.get("bits")).isEqualTo(c.get("repr"));
        }
    }

    @Test
    void percentConversionsMatchPython() {
        for (Map<String, String> c : cases) {
            double x = value(c);
            assertThat(PercentFormat.format("%g", x, false)).as("%%g of " + c.get("repr")).isEqualTo(c.get("g"));
            assertThat(PercentFormat.format("%.4e", x, false)).as("%%.4e of " + c.get("repr")).isEqualTo(c.get("e"));
            assertThat(PercentFormat.format("%.2f", x, false)).as("%%.2f of " + c.get("repr")).isEqualTo(c.get("f"));
        }
    }

    @Test
    void roundFilterMatchesPythonRound() {
        for (Map<String, String> c : cases) {
            Object rounded = BuiltinFilters.apply("round", value(c), Arguments.of(2L));
            assertThat(PyValues.str(rounded)).as("round(%s, 2)", c.get("repr")).isEqualTo(c.get("round2"));
        }
    }
}
