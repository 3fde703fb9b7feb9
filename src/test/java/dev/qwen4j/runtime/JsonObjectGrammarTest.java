package dev.qwen4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonObjectGrammarTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** True when text is a prefix of some JSON object; complete[0] says whether it is a whole one. */
    private static boolean prefix(String text, boolean[] complete) {
        JsonObjectGrammar g = new JsonObjectGrammar();
        for (byte x : b(text)) {
            byte[] one = {x};
            if (!g.accepts(one)) return false;
            g.advance(one);
        }
        complete[0] = g.complete();
        return true;
    }

    @Test
    void wholeObjectsAreAcceptedAndComplete() {
        for (String ok : new String[] {"{}", " \n{ }", "{\"a\":1}", "{\"a\": [1, -2.5e+3, 0, 0.0, 1E9, true, false, null]}",
                "{\"s\": \"x\\\"y\\\\z\\u00e9\\n\", \"é\": {\"deep\": [[], {}, [{}]]}}", "{\"a\":{\"b\":{\"c\":\"d\"}},\"e\":[\"f\"]}"}) {
            boolean[] complete = {false};
            assertThat(prefix(ok, complete)).as(ok).isTrue();
            assertThat(complete[0]).as(ok).isTrue();
        }
    }

    @Test
    void prefixesAreAcceptedButNotComplete() {
        for (String p : new String[] {"", "  ", "{", "{\"a", "{\"a\":", "{\"a\": [1, 2", "{\"a\": tr", "{\"a\": -", "{\"a\": 1.", "{\"a\": \"\\u00"}) {
            boolean[] complete = {true};
            assertThat(prefix(p, complete)).as(p).isTrue();
            assertThat(complete[0]).as(p).isFalse();
        }
    }

    @Test
    void invalidTextIsRejected() {
        boolean[] c = {false};
        for (String bad : new String[] {"[]", "x", "{a:1}", "{\"a\" 1}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":tru}",
                "{\"a\":\"\n\"}", "{\"a\":\"\\x\"}", "{\"a\":1]", "{}x", "{} {}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":\"\\u12G4\"}"}) {
            assertThat(prefix(bad, c)).as(bad).isFalse();
        }
    }

    @Test
    void tryingATokenDoesNotMoveTheState() {
        JsonObjectGrammar g = new JsonObjectGrammar();
        g.advance(b("{\"k\": "));
        assertThat(g.accepts(b("[1, {\"x\": null}]}"))).isTrue();
        assertThat(g.accepts(b("}"))).isFalse();
        assertThat(g.accepts(b("\"v\"}"))).isTrue();
        g.advance(b("\"v\"}"));
        assertThat(g.complete()).isTrue();
        assertThat(g.accepts(b(" "))).isFalse();
    }

    @Test
    void nestingIsBoundedSoTheStateStaysSmall() {
        JsonObjectGrammar g = new JsonObjectGrammar();
        g.advance(b("{\"a\":"));
        for (int d = 2; d < JsonObjectGrammar.MAX_DEPTH; d++) g.advance(b("["));
        assertThat(g.accepts(b("["))).isFalse();
        assertThat(g.accepts(b("1"))).isTrue();
    }

    @Test
    void whitespaceRunsAreBounded() {
        JsonObjectGrammar g = new JsonObjectGrammar();
        String pad = " ".repeat(JsonObjectGrammar.MAX_WHITESPACE_RUN);
        assertThat(g.accepts(b(pad + "{"))).isTrue();
        assertThat(g.accepts(b(pad + " "))).isFalse();
        g.advance(b("{" + pad + "\"k\"" + pad + ":" + pad + "1" + pad + "}"));
        assertThat(g.complete()).isTrue();
        JsonObjectGrammar inString = new JsonObjectGrammar();
        assertThat(inString.accepts(b("{\"" + " ".repeat(100) + "\": 1}"))).isTrue(); // blanks inside strings are text
    }
}
