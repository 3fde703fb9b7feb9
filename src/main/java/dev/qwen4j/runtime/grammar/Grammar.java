package dev.qwen4j.runtime.grammar;

import java.util.List;

/**
 * A context-free grammar over bytes, in the form the matcher walks: each rule is a list of alternatives, each
 * alternative a sequence of elements. An element {@code e ≥ 0} is a byte set (index into {@link #byteSets}); an
 * element {@code e < 0} refers to rule {@code -e - 1}. The start rule is 0.
 *
 * <p>Rules must not be left-recursive, and no repetition may repeat something that matches the empty string:
 * the matcher expands references eagerly, so either would not terminate. {@link GrammarBuilder} only builds
 * grammars of that shape.
 */
public final class Grammar {
    private final int[][][] rules;
    private final long[][] byteSets;

    Grammar(int[][][] rules, long[][] byteSets) {
        this.rules = rules;
        this.byteSets = byteSets;
    }

    int[][] alternatives(int rule) {
        return rules[rule];
    }

    /** Whether byte set {@code set} holds the unsigned byte {@code b}. */
    boolean matches(int set, int b) {
        return (byteSets[set][b >>> 6] & (1L << (b & 63))) != 0;
    }

    public int ruleCount() {
        return rules.length;
    }

    static int ref(int rule) {
        return -rule - 1;
    }

    static int ruleOf(int element) {
        return -element - 1;
    }

    static Grammar of(List<int[][]> rules, List<long[]> byteSets) {
        return new Grammar(rules.toArray(new int[0][][]), byteSets.toArray(new long[0][]));
    }
}
