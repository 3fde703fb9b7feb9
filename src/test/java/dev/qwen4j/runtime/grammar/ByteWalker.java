package dev.qwen4j.runtime.grammar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Draws random sentences of a grammar byte by byte: each step picks uniformly among the bytes that may follow. */
final class ByteWalker {
    private ByteWalker() {}

    /** A random sentence, or null when it grew past {@code maxBytes} (unbounded repetition can run long). */
    static String walk(Grammar grammar, Random random, double stopChance, int maxBytes) {
        GrammarState state = GrammarState.start(grammar);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> next = new ArrayList<>();
        List<GrammarState> states = new ArrayList<>();
        while (out.size() <= maxBytes) {
            if (state.isComplete() && (!state.canContinue() || random.nextDouble() < stopChance)) {
                return out.toString(StandardCharsets.UTF_8);
            }
            next.clear();
            states.clear();
            for (int b = 0; b < 256; b++) {
                GrammarState s = state.advance(b);
                if (s != null) {
                    next.add(b);
                    states.add(s);
                }
            }
            if (next.isEmpty()) throw new AssertionError("dead end after " + out.toString(StandardCharsets.UTF_8) + " although not complete");
            int pick = random.nextInt(next.size());
            out.write(next.get(pick));
            state = states.get(pick);
        }
        return null;
    }

    /** Whether the grammar accepts exactly this text. */
    static boolean accepts(Grammar grammar, String text) {
        GrammarState s = GrammarState.start(grammar).advance(text.getBytes(StandardCharsets.UTF_8));
        return s != null && s.isComplete();
    }
}
