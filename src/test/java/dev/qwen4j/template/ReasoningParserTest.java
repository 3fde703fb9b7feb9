package dev.qwen4j.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReasoningParserTest {

    /** Streams the pieces, then flushes, and returns the concatenated reasoning and content. */
    private static ReasoningParser.Delta stream(boolean startsInside, List<String> pieces) {
        ReasoningParser parser = new ReasoningParser(startsInside);
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        for (String piece : pieces) {
            ReasoningParser.Delta delta = parser.push(piece);
            reasoning.append(delta.reasoning());
            content.append(delta.content());
        }
        ReasoningParser.Delta rest = parser.flush();
        return new ReasoningParser.Delta(reasoning.append(rest.reasoning()).toString(),
                content.append(rest.content()).toString());
    }

    /** Every way of cutting the text into two pieces, and into three pieces. */
    private static List<List<String>> splits(String text) {
        List<List<String>> all = new ArrayList<>();
        all.add(List.of(text));
        for (int i = 0; i <= text.length(); i++) {
            all.add(List.of(text.substring(0, i), text.substring(i)));
            for (int j = i; j <= text.length(); j++) {
                all.add(List.of(text.substring(0, i), text.substring(i, j), text.substring(j)));
            }
        }
        return all;
    }

    private static List<String> characters(String text) {
        return text.codePoints().mapToObj(Character::toString).toList();
    }

    @Test
    void completeResponsesMatchTheTemplateSplitWhereverThePiecesAreCut() throws IOException {
        int checked = 0;
        for (Map<String, String> c : ReasoningSplitTest.pythonSplits()) {
            String text = c.get("text");
            // The streaming parser agrees with the template for one reasoning block at the start of the
            // output (or opened by the prompt), which is what Qwen3 models produce.
            boolean startsWithBlock = text.startsWith("<think>") && text.indexOf("<think>", 1) < 0
                    && text.contains("</think>") && text.indexOf("</think>") == text.lastIndexOf("</think>");
            boolean promptOpened = !text.contains("<think>") && text.contains("</think>")
                    && text.indexOf("</think>") == text.lastIndexOf("</think>");
            boolean plain = !text.contains("<think>") && !text.contains("</think>");
            if (!startsWithBlock && !promptOpened && !plain) {
                continue;
            }
            ReasoningParser.Delta expected = new ReasoningParser.Delta(c.get("reasoning"), c.get("content"));
            for (List<String> pieces : splits(text)) {
                assertThat(stream(promptOpened, pieces)).as("%s cut as %s", text, pieces).isEqualTo(expected);
            }
            assertThat(stream(promptOpened, characters(text))).isEqualTo(expected);
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(8);
    }

    @Test
    void tagsSplitAtEveryBoundaryAreRecognised() {
        String text = "<think>\nstep one\n\nstep two\n</think>\n\nfinal <b>answer</b>\n";
        ReasoningParser.Delta expected = new ReasoningParser.Delta("step one\n\nstep two", "final <b>answer</b>\n");
        for (List<String> pieces : splits(text)) {
            assertThat(stream(false, pieces)).as("cut as %s", pieces).isEqualTo(expected);
        }
    }

    @Test
    void heldBackTextIsReleasedAsSoonAsItCannotStartATag() {
        ReasoningParser parser = new ReasoningParser(false);
        assertThat(parser.push("Hello <thi")).isEqualTo(new ReasoningParser.Delta("", "Hello "));
        assertThat(parser.push("s is not a tag")).isEqualTo(new ReasoningParser.Delta("", "<this is not a tag"));
        assertThat(parser.push("<think>")).isEqualTo(ReasoningParser.Delta.EMPTY);
        assertThat(parser.insideReasoning()).isTrue();
        assertThat(parser.push("\nidea\n")).isEqualTo(new ReasoningParser.Delta("idea", ""));
        assertThat(parser.push("\nmore")).isEqualTo(new ReasoningParser.Delta("\n\nmore", ""));
        assertThat(parser.push("</")).isEqualTo(ReasoningParser.Delta.EMPTY);
        assertThat(parser.push("think>\n\nDone.")).isEqualTo(new ReasoningParser.Delta("", "Done."));
        assertThat(parser.insideReasoning()).isFalse();
        assertThat(parser.flush()).isEqualTo(ReasoningParser.Delta.EMPTY);
    }

    @Test
    void promptOpenedReasoningStartsInsideTheBlock() {
        ReasoningParser parser = new ReasoningParser(true);
        assertThat(parser.push("\nthinking")).isEqualTo(new ReasoningParser.Delta("thinking", ""));
        assertThat(parser.push("\n</think>\n\nanswer")).isEqualTo(new ReasoningParser.Delta("", "answer"));
    }

    @Test
    void flushReleasesAnUnfinishedTagAndTrailingNewlines() {
        ReasoningParser inside = new ReasoningParser(true);
        assertThat(inside.push("cut off\n</thi")).isEqualTo(new ReasoningParser.Delta("cut off", ""));
        assertThat(inside.flush()).isEqualTo(new ReasoningParser.Delta("\n</thi", ""));

        ReasoningParser outside = new ReasoningParser(false);
        assertThat(outside.push("answer <")).isEqualTo(new ReasoningParser.Delta("", "answer "));
        assertThat(outside.flush()).isEqualTo(new ReasoningParser.Delta("", "<"));
    }

    @Test
    void aSecondReasoningBlockIsReasoningAgain() {
        assertThat(stream(false, List.of("<think>a</think>b<think>c</think>d")))
                .isEqualTo(new ReasoningParser.Delta("ac", "bd"));
    }

    @Test
    void withThinkingDisabledEverythingIsContent() {
        assertThat(stream(false, characters("Just the answer, no tags.\n")))
                .isEqualTo(new ReasoningParser.Delta("", "Just the answer, no tags.\n"));
    }
}
