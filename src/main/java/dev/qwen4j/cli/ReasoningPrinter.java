package dev.qwen4j.cli;

import dev.qwen4j.api.GenerationListener;
import dev.qwen4j.template.ReasoningParser;
import java.io.PrintStream;

/** Streams generated text to the console, reasoning dimmed (or hidden) and kept apart from the answer. */
final class ReasoningPrinter implements GenerationListener {
    private final PrintStream out;
    private final ReasoningParser parser;
    private final boolean showReasoning;
    private boolean inReasoning;

    ReasoningPrinter(PrintStream out, boolean startsInsideThinking, boolean showReasoning) {
        this.out = out;
        this.parser = new ReasoningParser(startsInsideThinking);
        this.showReasoning = showReasoning;
    }

    @Override
    public void token(int id, String text) {
        print(parser.push(text));
    }

    void finish() {
        print(parser.flush());
        if (inReasoning && showReasoning) out.print(Terminal.dim(""));
        out.println();
        out.flush();
    }

    private void print(ReasoningParser.Delta d) {
        if (!d.reasoning().isEmpty() && showReasoning) {
            out.print(Terminal.dim(d.reasoning()));
            inReasoning = true;
        }
        if (!d.content().isEmpty()) {
            if (inReasoning && showReasoning) out.print("\n");
            inReasoning = false;
            out.print(d.content());
        }
        out.flush();
    }
}
