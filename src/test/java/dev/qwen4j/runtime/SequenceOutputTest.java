package dev.qwen4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qwen4j.testing.Golden;
import dev.qwen4j.tokenizer.Tokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Token-by-token output: reasoning split, stop strings across tokens, EOS text. */
class SequenceOutputTest {
    private static final Tokenizer TOKENIZER = Tokenizer.fromModelDir(Golden.model("tiny-qwen3"));

    private static String[] run(SequenceOutput out, String text, int eos) {
        StringBuilder reasoning = new StringBuilder(), content = new StringBuilder(), all = new StringBuilder();
        for (int id : TOKENIZER.encode(text)) {
            TokenEvent e = out.push(id);
            reasoning.append(e.reasoning());
            content.append(e.content());
            all.append(e.text());
            if (out.stopped()) return new String[] {reasoning.toString(), content.toString(), all.toString()};
        }
        TokenEvent e = out.finish(eos);
        reasoning.append(e.reasoning());
        content.append(e.content());
        all.append(e.text());
        return new String[] {reasoning.toString(), content.toString(), all.toString()};
    }

    @Test
    void thinkingOutputIsSplitIntoReasoningAndContent() {
        int eos = TOKENIZER.id("<|im_end|>").getAsInt();
        String[] r = run(new SequenceOutput(TOKENIZER, List.of(), ReasoningMode.SPLIT), "<think>\nLet me see.\n</think>\n\nThe answer is 4.", eos);
        assertThat(r[0]).isEqualTo("Let me see.");
        assertThat(r[1]).isEqualTo("The answer is 4.");
    }

    @Test
    void aPromptThatOpenedThinkingStartsInReasoning() {
        String[] r = run(new SequenceOutput(TOKENIZER, List.of(), ReasoningMode.SPLIT_STARTS_IN_REASONING), "hmm\n</think>\n\nyes", -1);
        assertThat(r[0]).isEqualTo("hmm");
        assertThat(r[1]).isEqualTo("yes");
    }

    @Test
    void stopStringsSpanningTokensCutTheText() {
        SequenceOutput out = new SequenceOutput(TOKENIZER, List.of("world peace"), ReasoningMode.NONE);
        String[] r = run(out, "Hello world peace and more", -1);
        assertThat(out.stopped()).isTrue();
        assertThat(r[2]).isEqualTo("Hello ");
        assertThat(out.text()).isEqualTo("Hello ");
    }

    @Test
    void withoutSplittingEverythingIsContentAndEosAddsNoText() {
        int eos = TOKENIZER.id("<|im_end|>").getAsInt();
        String[] r = run(new SequenceOutput(TOKENIZER, List.of(), ReasoningMode.NONE), "<think>x</think>y", eos);
        assertThat(r[0]).isEmpty();
        assertThat(r[1]).isEqualTo("<think>x</think>y");
    }
}
