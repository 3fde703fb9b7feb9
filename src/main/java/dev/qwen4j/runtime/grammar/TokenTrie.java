package dev.qwen4j.runtime.grammar;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The byte strings of a vocabulary as a trie, so a token mask is one walk over shared prefixes instead of one
 * parse per token. Node 0 is the root; children are kept as first-child / next-sibling links.
 */
final class TokenTrie {
    private int[] firstChild;
    private int[] nextSibling;
    private byte[] label;
    private int[] tokenAt;
    private int size;

    /**
     * @param tokenBytes the bytes of token id; null or empty for ids that must never be chosen under a grammar
     *                   (special and added tokens)
     */
    TokenTrie(int vocabSize, IntFunction<byte[]> tokenBytes) {
        int capacity = 1 << 16;
        firstChild = new int[capacity];
        nextSibling = new int[capacity];
        label = new byte[capacity];
        tokenAt = new int[capacity];
        size = 1;
        firstChild[0] = -1;
        nextSibling[0] = -1;
        tokenAt[0] = -1;
        for (int id = 0; id < vocabSize; id++) {
            byte[] bytes = tokenBytes.apply(id);
            if (bytes == null || bytes.length == 0) continue;
            int node = 0;
            for (byte b : bytes) node = child(node, b);
            tokenAt[node] = id;
        }
    }

    private int child(int node, byte b) {
        for (int c = firstChild[node]; c >= 0; c = nextSibling[c]) {
            if (label[c] == b) return c;
        }
        if (size == firstChild.length) grow();
        int c = size++;
        label[c] = b;
        tokenAt[c] = -1;
        firstChild[c] = -1;
        nextSibling[c] = firstChild[node];
        firstChild[node] = c;
        return c;
    }

    private void grow() {
        int n = firstChild.length * 2;
        firstChild = Arrays.copyOf(firstChild, n);
        nextSibling = Arrays.copyOf(nextSibling, n);
        label = Arrays.copyOf(label, n);
        tokenAt = Arrays.copyOf(tokenAt, n);
    }

    int nodeCount() {
        return size;
    }

    int firstChild(int node) {
        return firstChild[node];
    }

    int nextSibling(int node) {
        return nextSibling[node];
    }

    int label(int node) {
        return label[node] & 0xFF;
    }

    /** The token whose bytes end at this node, or -1. */
    int tokenAt(int node) {
        return tokenAt[node];
    }
}
