package dev.qwen4j.template.jinja;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qwen4j.template.TemplateException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Syntax errors carry the line and column of the offending token; runtime errors those of the failing tag. */
class TemplateErrorsTest {

    private static TemplateException parseError(String source) {
        try {
            Template.parse(source);
        } catch (TemplateException e) {
            return e;
        }
        throw new AssertionError("expected a syntax error in: " + source);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', quoteCharacter = '"', textBlock = """
            unknown tag              ; line1\\n  {% frobnicate %}                      ; 2 ; 6  ; Encountered unknown tag 'frobnicate'.
            unclosed if              ; {% if x %}\\nbody                             ; 2 ; 5  ; Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.
            end tag of other block   ; {% for x in y %}\\n{% endif %}                 ; 2 ; 4  ; Encountered unknown tag 'endif'. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.
            unexpected character     ; {{ a ! b }}                                   ; 1 ; 6  ; unexpected char '!'
            unterminated string      ; ok\\n{{ 'abc }}                                ; 2 ; 4  ; unterminated string literal
            missing comment end      ; a {# never closed                             ; 1 ; 3  ; Missing end of comment tag
            unknown filter           ; {{ x | nosuchfilter }}                        ; 1 ; 8  ; No filter named 'nosuchfilter'.
            unknown test             ; {% set y = x is nosuchtest %}                 ; 1 ; 17 ; No test named 'nosuchtest'.
            break outside loop       ; {% if true %}{% break %}{% endif %}           ; 1 ; 17 ; 'break' outside loop
            continue in macro        ; {% for i in l %}{% macro m() %}{% continue %}{% endmacro %}{% endfor %} ; 1 ; 35 ; 'continue' outside loop
            unbalanced bracket       ; {{ (1 + 2] }}                                 ; 1 ; 10 ; unexpected ']', expected ')'
            missing expression       ; {{ }}                                         ; 1 ; 4  ; Expected an expression, got 'end of print statement'
            unclosed print           ; {{ x                                          ; 1 ; 5  ; unexpected end of template, expected 'end of print statement'.
            assign to literal        ; {% set 1 = 2 %}                               ; 1 ; 8  ; can't assign to 'literal'
            default before plain arg ; {% macro m(a=1, b) %}{% endmacro %}           ; 1 ; 17 ; non-default argument follows default argument
            include not supported    ; {% include 'x.html' %}                        ; 1 ; 4  ; tag 'include' is not supported: chat templates render standalone
            """)
    void syntaxErrorsAreLocated(String description, String source, int line, int column, String message) {
        TemplateException error = parseError(source.replace("\\n", "\n"));
        assertThat(error.detail()).as(description).isEqualTo(message);
        assertThat(error.line()).as(description + " line").isEqualTo(line);
        assertThat(error.column()).as(description + " column").isEqualTo(column);
        assertThat(error.getMessage()).endsWith("(line " + line + ", column " + column + ")");
    }

    @Test
    void runtimeErrorsPointAtTheInnermostFailingTag() {
        String source = "{% for m in messages %}\n  {% if m.role == 'user' %}\n    {{ m.content.upper() }}\n"
                + "  {% endif %}\n{% endfor %}";
        assertThatThrownBy(() -> Template.parse(source).render(Map.of("messages", java.util.List.of(Map.of("role", "user")))))
                .isInstanceOfSatisfying(TemplateException.class, e -> {
                    assertThat(e.detail()).isEqualTo("'dict object' has no attribute 'content'");
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.column()).isEqualTo(5);
                });
    }

    @Test
    void lineNumbersCountCarriageReturnLineEndingsOnce() {
        TemplateException error = parseError("a\r\nb\r\n{% bogus %}");
        assertThat(error.line()).isEqualTo(3);
        assertThat(error.column()).isEqualTo(4);
    }
}
