package dev.qwen4j.runtime.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The grammar's parse states numbered as they are met, with a byte transition table filled on demand: a
 * deterministic automaton built lazily. A token mask walks the vocabulary trie, about a million byte steps
 * inside a free string; as table lookups they cost nanoseconds instead of a parse-stack expansion each.
 */
final class LazyAutomaton {
    static final int DEAD = -1;
    private static final int UNKNOWN = -2;
    /** States kept before the table is dropped and rebuilt (1 KiB each). */
    private static final int MAX_STATES = 32_768;

    private final Map<GrammarState, Integer> ids = new HashMap<>();
    private final List<GrammarState> states = new ArrayList<>();
    private int[] next = new int[0];

    /** The number of a state, assigned on first sight. */
    int id(GrammarState state) {
        Integer known = ids.get(state);
        if (known != null) return known;
        int id = states.size();
        states.add(state);
        ids.put(state, id);
        if (next.length < states.size() * 256) {
            int old = next.length;
            next = Arrays.copyOf(next, Math.max(256 * 64, next.length * 2));
            Arrays.fill(next, old, next.length, UNKNOWN);
        }
        Arrays.fill(next, id * 256, id * 256 + 256, UNKNOWN);
        return id;
    }

    /** The state after byte {@code b}, or {@link #DEAD}. */
    int advance(int id, int b) {
        int t = next[id * 256 + b];
        if (t == UNKNOWN) {
            GrammarState s = states.get(id).advance(b);
            t = s == null ? DEAD : id(s);
            next[id * 256 + b] = t;
        }
        return t;
    }

    /**
     * Drops every state once the table is large (ids handed out before become invalid), so a long
     * generation with ever-new states cannot grow it without bound. Call only between walks.
     */
    boolean trimIfLarge() {
        if (states.size() < MAX_STATES) return false;
        ids.clear();
        states.clear();
        return true;
    }

    GrammarState state(int id) {
        return states.get(id);
    }

    boolean canContinue(int id) {
        return states.get(id).canContinue();
    }
}
