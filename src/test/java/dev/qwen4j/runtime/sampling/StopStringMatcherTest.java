package dev.qwen4j.runtime.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

    @Test
    void withoutStopsEverythingPassesStraightThrough() {
        StopStringMatcher matcher = new StopStringMatcher(List.of());
        assertThat(matcher.push("Hello")).isEqualTo(new StopStringMatcher.Result("Hello", false));
        assertThat(matcher.push(" world")).isEqualTo(new StopStringMatcher.Result(" world", false));
        assertThat(matcher.flush()).isEmpty();
    }

    @Test
    void holdsBackOnlyWhatCouldStartAStopString() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("</answer>"));
        assertThat(matcher.push("The answer is 4<")).isEqualTo(new StopStringMatcher.Result("The answer is 4", false));
        assertThat(matcher.push("/an")).isEqualTo(new StopStringMatcher.Result("", false));
        // "</ans" then "x": no longer a prefix, so all of it is released.
        assertThat(matcher.push("x")).isEqualTo(new StopStringMatcher.Result("</anx", false));
        assertThat(matcher.flush()).isEmpty();
    }

    @Test
    void findsAStopSplitAcrossManyPiecesAndDropsTextAfterIt() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("STOP"));
        StringBuilder emitted = new StringBuilder();
        StopStringMatcher.Result result = null;
        for (String piece : List.of("ab", "cS", "T", "O", "Ptail")) {
            result = matcher.push(piece);
            emitted.append(result.emit());
            if (result.stopped()) break;
        }
        assertThat(result.stopped()).isTrue();
        assertThat(emitted).hasToString("abc");
        assertThat(matcher.matchedStop()).isEqualTo("STOP");
        assertThat(matcher.flush()).as("text after the stop is discarded").isEmpty();
    }

    @Test
    void stopInsideOnePieceEmitsTextBeforeIt() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("\n\n"));
        assertThat(matcher.push("line one\n\nline two")).isEqualTo(new StopStringMatcher.Result("line one", true));
    }

    @Test
    void stopAtTheVeryStartEmitsNothing() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("<|im_end|>"));
        assertThat(matcher.push("<|im_end|>")).isEqualTo(new StopStringMatcher.Result("", true));
    }

    @Test
    void earliestOfOverlappingStopsWins() {
        // "bcd" completes first in the stream, but "abc" starts earlier and is also present.
        StopStringMatcher matcher = new StopStringMatcher(List.of("bcd", "abc"));
        assertThat(matcher.push("xab")).isEqualTo(new StopStringMatcher.Result("x", false));
        assertThat(matcher.push("cd")).isEqualTo(new StopStringMatcher.Result("", true));
        assertThat(matcher.matchedStop()).isEqualTo("abc");

        // A stop that is a suffix of a longer one that never completes.
        StopStringMatcher suffix = new StopStringMatcher(List.of("Observation:", "ion"));
        assertThat(collect(suffix, "Observat", "ion")).isEqualTo("Observat|STOP");
    }

    @Test
    void selfOverlappingStopIsFoundAfterAFalseStart() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("aab"));
        assertThat(matcher.push("xaa")).isEqualTo(new StopStringMatcher.Result("x", false));
        // "aa" + "ab" = "aaab": the match starts one character later than the held-back text.
        assertThat(matcher.push("ab")).isEqualTo(new StopStringMatcher.Result("a", true));
    }

    @Test
    void holdsBackTheLongestPossiblePrefixAmongSeveralStops() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("ab", "xyz"));
        assertThat(matcher.push("1xy")).isEqualTo(new StopStringMatcher.Result("1", false));
        assertThat(matcher.push("a")).isEqualTo(new StopStringMatcher.Result("xy", false));
        assertThat(matcher.push("c")).isEqualTo(new StopStringMatcher.Result("ac", false));
        assertThat(matcher.push("xy")).isEqualTo(new StopStringMatcher.Result("", false));
        assertThat(matcher.flush()).isEqualTo("xy");
    }

    @Test
    void handlesMultiCharUnicodeStops() {
        // CJK stop, and an emoji stop whose surrogate pair is split across two pieces.
        assertThat(collect(new StopStringMatcher(List.of("结束")), "你好", "结", "束了")).isEqualTo("你好|STOP");
        String grin = "😀"; // \uD83D\uDE00
        StopStringMatcher emoji = new StopStringMatcher(List.of(grin + "!"));
        assertThat(emoji.push("ok " + grin.charAt(0))).isEqualTo(new StopStringMatcher.Result("ok ", false));
        assertThat(emoji.push(grin.substring(1))).isEqualTo(new StopStringMatcher.Result("", false));
        assertThat(emoji.push("!")).isEqualTo(new StopStringMatcher.Result("", true));

        StopStringMatcher other = new StopStringMatcher(List.of(grin + "!"));
        assertThat(other.push("a" + grin + "?")).isEqualTo(new StopStringMatcher.Result("a" + grin + "?", false));
    }

    @Test
    void neverEmitsALoneHighSurrogate() {
        StopStringMatcher matcher = new StopStringMatcher(List.of("END"));
        String rocket = "🚀";
        assertThat(matcher.push("go " + rocket.charAt(0))).isEqualTo(new StopStringMatcher.Result("go ", false));
        assertThat(matcher.push(rocket.substring(1) + " E")).isEqualTo(new StopStringMatcher.Result(rocket + " ", false));
        assertThat(matcher.flush()).isEqualTo("E");
    }

    @Test
    void concatenationOfEmittedTextIsTheInputUpToTheStop() {
        List<String> stops = List.of("<|im_end|>", "\nUser:", "aaa");
        String text = "Sure: a aa <|im_ end|> \nUse \nUser:the rest";
        for (int cut = 1; cut < 7; cut++) {
            StopStringMatcher matcher = new StopStringMatcher(stops);
            StringBuilder emitted = new StringBuilder();
            boolean stopped = false;
            for (int i = 0; i < text.length() && !stopped; i += cut) {
                StopStringMatcher.Result result = matcher.push(text.substring(i, Math.min(text.length(), i + cut)));
                emitted.append(result.emit());
                stopped = result.stopped();
            }
            assertThat(stopped).isTrue();
            assertThat(emitted).as("pieces of %d chars", cut).hasToString("Sure: a aa <|im_ end|> \nUse ");
        }
    }

    @Test
    void rejectsMisuse() {
        assertThatThrownBy(() -> new StopStringMatcher(List.of("ok", "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-empty");
        StopStringMatcher matcher = new StopStringMatcher(List.of("x"));
        assertThat(matcher.push("x").stopped()).isTrue();
        assertThatThrownBy(() -> matcher.push("more"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("\"x\"");
    }

    /** Pushes pieces until a stop; returns the emitted chunks joined by '|', with "STOP" appended on a stop. */
    private static String collect(StopStringMatcher matcher, String... pieces) {
        List<String> parts = new ArrayList<>();
        StringBuilder emitted = new StringBuilder();
        for (String piece : pieces) {
            StopStringMatcher.Result result = matcher.push(piece);
            emitted.append(result.emit());
            if (result.stopped()) {
                parts.add(emitted.toString());
                parts.add("STOP");
                return String.join("|", parts);
            }
        }
        emitted.append(matcher.flush());
        return emitted.toString();
    }
}
