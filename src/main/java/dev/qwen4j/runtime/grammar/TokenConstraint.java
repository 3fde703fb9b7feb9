package dev.qwen4j.runtime.grammar;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Keeps one generation inside a grammar: before each sampling step {@link #mask} sets the logits of every token
 * that cannot continue a sentence to -∞ (end-of-sequence ids only once the sentence is complete), and
 * {@link #accept} moves the parse over the chosen token.
 *
 * <p>Masks are cached by parse state: inside a free string the state after each token is the same, so long
 * strings cost one trie walk, not one per token.
 */
public final class TokenConstraint {
    private static final int MASK_CACHE_SIZE = 256;

    private final TokenVocabulary vocabulary;
    private final int[] endOfSequenceIds;
    private final LazyAutomaton automaton = new LazyAutomaton();
    private GrammarState state;
    /** While ≥ 0 the constraint waits for this token (e.g. {@code </think>}) before it applies. */
    private int triggerToken = -1;
    /**
     * While ≥ 0 the next token decides: this one (e.g. {@code <think>}) opens free reasoning until
     * {@link #closeAfterOpen}; any other token starts the constrained output at once.
     */
    private int openToken = -1, closeAfterOpen = -1;
    private final Map<GrammarState, BitSet> maskCache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<GrammarState, BitSet> eldest) {
            return size() > MASK_CACHE_SIZE;
        }
    };

    public TokenConstraint(Grammar grammar, TokenVocabulary vocabulary, Set<Integer> endOfSequenceIds) {
        this.vocabulary = vocabulary;
        this.endOfSequenceIds = endOfSequenceIds.stream().mapToInt(Integer::intValue).toArray();
        this.state = GrammarState.start(grammar);
    }

    /**
     * Applies the grammar only after {@code token} has been generated: a thinking model reasons freely and the
     * answer after {@code </think>} is constrained.
     */
    public TokenConstraint startAfter(int token) {
        this.triggerToken = token;
        return this;
    }

    /**
     * For a model that may or may not reason first (a hybrid Qwen3 with thinking on): if its first token is
     * {@code open} ({@code <think>}), the grammar applies after {@code close} ({@code </think>}); otherwise it
     * applies from that first token on.
     */
    public TokenConstraint startAfterIfOpened(int open, int close) {
        this.openToken = open;
        this.closeAfterOpen = close;
        return this;
    }

    /** Whether the grammar applies to the next token (false while waiting for the trigger token). */
    public boolean isActive() {
        return triggerToken < 0;
    }

    /** The tokens allowed next, end-of-sequence ids included when the sentence is complete. */
    public BitSet allowedTokens() {
        BitSet allowed = maskCache.get(state);
        if (allowed == null) {
            allowed = new BitSet(vocabulary.size());
            automaton.trimIfLarge();
            walk(0, automaton.id(state), allowed);
            if (state.isComplete()) {
                for (int eos : endOfSequenceIds) allowed.set(eos);
            }
            maskCache.put(state, allowed);
        }
        return allowed;
    }

    private void walk(int node, int at, BitSet allowed) {
        TokenTrie trie = vocabulary.trie();
        for (int c = trie.firstChild(node); c >= 0; c = trie.nextSibling(c)) {
            int next = automaton.advance(at, trie.label(c));
            if (next == LazyAutomaton.DEAD) continue;
            int token = trie.tokenAt(c);
            if (token >= 0) allowed.set(token);
            if (automaton.canContinue(next)) walk(c, next, allowed);
        }
    }

    /** Whether {@code token} may come next (cheaper than a whole mask: one token's bytes). */
    public boolean allows(int token) {
        if (!isActive()) return true;
        if (openToken >= 0 && token == openToken) return true;
        if (isEndOfSequence(token)) return state.isComplete();
        byte[] bytes = vocabulary.bytes(token);
        return bytes != null && bytes.length > 0 && state.advance(bytes) != null;
    }

    /** Sets the logits of the tokens not allowed now to -∞ (rows past the vocabulary too). */
    public void mask(float[] logits) {
        if (!isActive()) return;
        BitSet allowed = allowedTokens();
        if (openToken >= 0 && openToken < logits.length && !allowed.get(openToken)) {
            allowed = (BitSet) allowed.clone(); // the cached mask stays the grammar's own
            allowed.set(openToken);
        }
        int limit = logits.length;
        int from = 0;
        while (from < limit) {
            int nextAllowed = allowed.nextSetBit(from);
            int to = nextAllowed < 0 ? limit : Math.min(limit, nextAllowed);
            java.util.Arrays.fill(logits, from, to, Float.NEGATIVE_INFINITY);
            if (nextAllowed < 0) break;
            from = nextAllowed + 1;
        }
    }

    /**
     * Moves over a chosen token.
     *
     * @throws IllegalArgumentException if the token cannot continue the sentence
     */
    public void accept(int token) {
        if (!isActive()) {
            if (token == triggerToken) triggerToken = -1;
            return;
        }
        if (openToken >= 0) {
            boolean opened = token == openToken;
            if (opened) triggerToken = closeAfterOpen;
            openToken = closeAfterOpen = -1;
            if (opened) return;
        }
        if (isEndOfSequence(token)) {
            if (!state.isComplete()) throw new IllegalArgumentException("end of sequence before the output is complete");
            return;
        }
        byte[] bytes = vocabulary.bytes(token);
        GrammarState next = bytes == null || bytes.length == 0 ? null : state.advance(bytes);
        if (next == null) throw new IllegalArgumentException("token " + token + " does not continue the constrained output");
        state = next;
    }

    /** The output so far is complete (it may end here). */
    public boolean isComplete() {
        return isActive() && state.isComplete();
    }

    /** The output can only end: nothing may follow. */
    public boolean mustEnd() {
        return isActive() && !state.canContinue();
    }

    private boolean isEndOfSequence(int token) {
        for (int eos : endOfSequenceIds) if (eos == token) return true;
        return false;
    }
}
