package dev.qwen4j.runtime.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Grammar} from combinators. A pattern is an element sequence ({@code int[]}); combinators that
 * need choice or repetition create a rule and return a one-element sequence referring to it. Repetition is
 * right-recursive, so the grammar stays free of left recursion.
 */
final class GrammarBuilder {
    static final int[] EMPTY = new int[0];

    private final List<int[][]> rules = new ArrayList<>();
    private final List<long[]> byteSets = new ArrayList<>();
    private final Map<String, Integer> byteSetIndex = new HashMap<>();

    GrammarBuilder() {
        rules.add(null); // rule 0 is the start rule, set by build()
    }

    /** Reserves a rule whose alternatives are given later (for recursive definitions). */
    int declare() {
        rules.add(null);
        return rules.size() - 1;
    }

    void define(int rule, int[]... alternatives) {
        if (rules.get(rule) != null) throw new IllegalStateException("rule " + rule + " is already defined");
        rules.set(rule, alternatives.clone());
    }

    Grammar build(int[] start) {
        rules.set(0, new int[][] {start});
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i) == null) throw new IllegalStateException("rule " + i + " was declared but never defined");
        }
        return Grammar.of(rules, byteSets);
    }

    /** One byte from the inclusive ranges {@code lo0, hi0, lo1, hi1, ...}. */
    int[] bytes(int... ranges) {
        long[] bits = new long[4];
        for (int i = 0; i < ranges.length; i += 2) {
            for (int b = ranges[i]; b <= ranges[i + 1]; b++) bits[b >>> 6] |= 1L << (b & 63);
        }
        String key = Arrays.toString(bits);
        Integer index = byteSetIndex.get(key);
        if (index == null) {
            index = byteSets.size();
            byteSets.add(bits);
            byteSetIndex.put(key, index);
        }
        return new int[] {index};
    }

    /** The UTF-8 bytes of {@code text}, in order. */
    int[] literal(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int[][] parts = new int[utf8.length][];
        for (int i = 0; i < utf8.length; i++) {
            int b = utf8[i] & 0xFF;
            parts[i] = bytes(b, b);
        }
        return seq(parts);
    }

    static int[] seq(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    int[] alt(int[]... options) {
        if (options.length == 1) return options[0];
        int rule = declare();
        define(rule, options);
        return new int[] {Grammar.ref(rule)};
    }

    int[] opt(int[] pattern) {
        return alt(pattern, EMPTY);
    }

    /** Zero or more {@code pattern}s; {@code pattern} must not match the empty string. */
    int[] star(int[] pattern) {
        int rule = declare();
        define(rule, seq(pattern, new int[] {Grammar.ref(rule)}), EMPTY);
        return new int[] {Grammar.ref(rule)};
    }

    /** Between {@code min} and {@code max} {@code pattern}s ({@code max < 0}: no upper bound). */
    int[] repeat(int[] pattern, int min, int max) {
        int[][] required = new int[min][];
        Arrays.fill(required, pattern);
        int[] tail;
        if (max < 0) {
            tail = star(pattern);
        } else {
            // optional_k = ε | pattern optional_{k-1}: at most max - min more.
            tail = EMPTY;
            for (int k = 0; k < max - min; k++) tail = opt(seq(pattern, tail));
        }
        return seq(seq(required), tail);
    }
}
