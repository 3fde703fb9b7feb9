package dev.qwen4j.runtime.grammar;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Where a byte-level parse can be after the bytes seen so far: a set of parse stacks, each with a byte set on
 * top, plus whether the input so far is a complete sentence. Immutable; {@link #advance} returns the successor.
 *
 * <p>Stacks are persistent linked frames, so successors share their tails, and equal states compare equal
 * (the token masks are cached by state).
 */
public final class GrammarState {
    /** Guards against grammars that would expand forever (left recursion, repeating an empty pattern). */
    private static final int MAX_EXPANSION_DEPTH = 10_000;

    private final Grammar grammar;
    private final Frame[] stacks;
    private final boolean complete;
    private final int hash;

    private GrammarState(Grammar grammar, Frame[] stacks, boolean complete) {
        this.grammar = grammar;
        this.stacks = stacks;
        this.complete = complete;
        this.hash = Arrays.hashCode(stacks) * 31 + Boolean.hashCode(complete);
    }

    /** The state before any input. */
    public static GrammarState start(Grammar grammar) {
        Expansion e = new Expansion(grammar);
        e.expand(new Frame(grammar.alternatives(0)[0], 0, null), 0);
        return e.state();
    }

    /** The state after one more byte, or null when no sentence of the grammar continues this way. */
    public GrammarState advance(int unsignedByte) {
        Expansion e = null;
        for (Frame f : stacks) {
            if (grammar.matches(f.elements[f.position], unsignedByte)) {
                if (e == null) e = new Expansion(grammar);
                e.expand(new Frame(f.elements, f.position + 1, f.parent), 0);
            }
        }
        return e == null ? null : e.state();
    }

    /** The state after all of {@code bytes}, or null as soon as one cannot follow. */
    public GrammarState advance(byte[] bytes) {
        GrammarState s = this;
        for (int i = 0; i < bytes.length && s != null; i++) s = s.advance(bytes[i] & 0xFF);
        return s;
    }

    /** The input so far is a whole sentence (the generation may end here). */
    public boolean isComplete() {
        return complete;
    }

    /** Some byte may still follow. */
    public boolean canContinue() {
        return stacks.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GrammarState s && s.hash == hash && s.complete == complete && Arrays.equals(s.stacks, stacks);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** Collects the stacks reachable by expanding rule references until a byte set is on top. */
    private static final class Expansion {
        private final Grammar grammar;
        private final Set<Frame> stacks = new LinkedHashSet<>();
        private boolean complete;

        Expansion(Grammar grammar) {
            this.grammar = grammar;
        }

        void expand(Frame f, int depth) {
            if (depth > MAX_EXPANSION_DEPTH) {
                throw new IllegalStateException("grammar expands without consuming input (left recursion?)");
            }
            while (f != null && f.position == f.elements.length) f = f.parent;
            if (f == null) {
                complete = true;
                return;
            }
            int element = f.elements[f.position];
            if (element >= 0) {
                stacks.add(f);
                return;
            }
            Frame continuation = new Frame(f.elements, f.position + 1, f.parent);
            for (int[] alternative : grammar.alternatives(Grammar.ruleOf(element))) {
                expand(new Frame(alternative, 0, continuation), depth + 1);
            }
        }

        GrammarState state() {
            return new GrammarState(grammar, stacks.toArray(new Frame[0]), complete);
        }
    }

    /** A position inside one alternative, and the frame to return to when it is done. */
    private static final class Frame {
        final int[] elements;
        final int position;
        final Frame parent;
        private final int hash;

        Frame(int[] elements, int position, Frame parent) {
            this.elements = elements;
            this.position = position;
            this.parent = parent;
            this.hash = (System.identityHashCode(elements) * 31 + position) * 31 + (parent == null ? 0 : parent.hash);
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) return true;
            if (!(o instanceof Frame f) || f.hash != hash) return false;
            Frame a = this, b = f;
            while (a != null && b != null) {
                if (a == b) return true;
                if (a.elements != b.elements || a.position != b.position) return false;
                a = a.parent;
                b = b.parent;
            }
            return a == b;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
