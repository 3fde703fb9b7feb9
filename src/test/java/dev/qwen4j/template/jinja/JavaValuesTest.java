package dev.qwen4j.template.jinja;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qwen4j.template.TemplateException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Values handed in from Java code rather than parsed JSON, and behaviour specific to this interpreter's API. */
class JavaValuesTest {

    private static String render(String source, Map<String, ?> variables) {
        return Template.parse(source).render(variables);
    }

    @Test
    void everyJavaIntegerTypeIsAPythonInt() {
        Map<String, Object> numbers = Map.of("i", 3, "l", 4L, "s", (short) 5, "b", (byte) 6,
                "big", new BigInteger("123456789012345678901234567890"));
        assertThat(render("{{ i + l + s + b }} {{ big + 1 }} {{ i is integer }} {{ big // 10 ** 20 }} {{ [i, l]|tojson }}",
                numbers)).isEqualTo("18 123456789012345678901234567891 True 1234567890 [3, 4]");
    }

    @Test
    void everyJavaFloatingTypeIsAPythonFloat() {
        Map<String, Object> numbers = Map.of("f", 1.5f, "d", 0.1, "dec", new BigDecimal("2.5"));
        assertThat(render("{{ f }} {{ d * 3 }} {{ dec }} {{ dec is float }} {{ f|tojson }} {{ 3 == 3.0 }}", numbers))
                .isEqualTo("1.5 0.30000000000000004 2.5 True 1.5 True");
    }

    @Test
    void insertionOrderOfMapsIsKeptByTojsonAndIteration() {
        Map<String, Object> ordered = new LinkedHashMap<>();
        ordered.put("zeta", 1);
        ordered.put("alpha", List.of(true, "é"));
        ordered.put("mid", null);
        assertThat(render("{{ m|tojson }} {% for k in m %}{{ k }} {% endfor %}", Map.of("m", ordered)))
                .isEqualTo("{\"zeta\": 1, \"alpha\": [true, \"é\"], \"mid\": null} zeta alpha mid ");
    }

    @Test
    void nullValuesInMapsAndListsAreNone() {
        Map<String, Object> message = new HashMap<>();
        message.put("content", null);
        List<Object> items = Arrays.asList(1, null);
        assertThat(render("{{ m.content is none }} {{ m.content }} {{ items }} {{ items|tojson }}",
                Map.of("m", message, "items", items))).isEqualTo("True None [1, None] [1, null]");
    }

    @Test
    void otherCollectionsIterateLikeLists() {
        assertThat(render("{{ s|length }} {% for x in s|sort %}{{ x }}{% endfor %} {{ 'b' in s }}",
                Map.of("s", Set.of("a", "b", "c")))).isEqualTo("3 abc True");
    }

    @Test
    void javaFunctionsAreCallableWithPositionalAndKeywordArguments() {
        JinjaFunction describe = arguments -> arguments.positional() + " " + arguments.keywords();
        assertThat(render("{{ f(1, 'x', flag=true) }}", Map.of("f", describe))).isEqualTo("[1, x] {flag=true}");
    }

    @Test
    void generationBlocksRenderTheirBodyInTheirOwnScope() {
        assertThat(render("{% set x = 'outer' %}{% generation %}{{ x }}{% set x = 'inner' %}{% endgeneration %} {{ x }}",
                Map.of())).isEqualTo("outer outer");
    }

    @Test
    void variablesShadowBuiltinGlobals() {
        assertThat(render("{{ range }}", Map.of("range", "mine"))).isEqualTo("mine");
    }

    @Test
    void referencedNamesListEveryVariableRead() {
        Template template = Template.parse("{# enable_thinking in a comment does not count #}{% set a = 1 %}"
                + "{% if add_generation_prompt and messages|length %}{{ a }}{{ x.y }}{% endif %}");
        assertThat(template.referencedNames()).containsExactly("add_generation_prompt", "messages", "a", "x");
    }

    @Test
    void inputsAreNeverMutated() {
        List<Object> items = new ArrayList<>(List.of(3, 1, 2));
        Map<String, Object> variables = Map.of("items", items);
        assertThat(render("{{ items|sort }} {{ items|reverse|list }} {% set ns = namespace(l=items) %}{{ ns.l }}", variables))
                .isEqualTo("[1, 2, 3] [2, 1, 3] [3, 1, 2]");
        assertThat(items).containsExactly(3, 1, 2);
        assertThatThrownBy(() -> render("{{ items.append(4) }}", variables)).isInstanceOf(TemplateException.class)
                .hasMessageContaining("unsafe");
        assertThat(items).containsExactly(3, 1, 2);
    }

    @Test
    void aParsedTemplateRendersConcurrently() throws Exception {
        Template template = Template.parse(
                "{% set ns = namespace(total=0) %}{% for i in range(n) %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}");
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<String>> results = new ArrayList<>();
            for (int n = 0; n < 200; n++) {
                int size = n;
                results.add(pool.submit(() -> template.render(Map.of("n", size))));
            }
            for (int n = 0; n < 200; n++) {
                assertThat(results.get(n).get()).isEqualTo(Integer.toString(n * (n - 1) / 2));
            }
        }
    }

    @Test
    void deepRecursionFailsCleanly() {
        assertThatThrownBy(() -> render("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", Map.of()))
                .isInstanceOf(TemplateException.class).hasMessageContaining("recursion");
    }
}
