package dev.qwen4j.runtime.grammar;

import dev.qwen4j.tokenizer.Tokenizer;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The byte strings of a tokenizer's ordinary tokens and their trie, built once per tokenizer (about 150k
 * tokens: a few hundred milliseconds) and shared by every constrained generation. Added tokens (chat markers,
 * {@code <think>}) are left out: a grammar never produces them.
 */
public final class TokenVocabulary {
    private static final Map<Tokenizer, TokenVocabulary> CACHE = new WeakHashMap<>();

    private final byte[][] bytes;
    private final TokenTrie trie;

    private TokenVocabulary(Tokenizer tokenizer) {
        int n = tokenizer.vocabSize();
        bytes = new byte[n][];
        java.util.BitSet added = new java.util.BitSet(n);
        tokenizer.addedTokens().forEach(t -> added.set(t.id()));
        for (int id = 0; id < n; id++) {
            if (!added.get(id)) bytes[id] = tokenizer.tokenBytes(id);
        }
        trie = new TokenTrie(n, id -> bytes[id]);
    }

    public static synchronized TokenVocabulary of(Tokenizer tokenizer) {
        return CACHE.computeIfAbsent(tokenizer, TokenVocabulary::new);
    }

    int size() {
        return bytes.length;
    }

    byte[] bytes(int token) {
        return token >= 0 && token < bytes.length ? bytes[token] : null;
    }

    TokenTrie trie() {
        return trie;
    }
}
