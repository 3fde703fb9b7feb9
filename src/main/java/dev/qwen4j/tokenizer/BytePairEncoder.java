package dev.qwen4j.tokenizer;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The byte-level BPE model: turns one pre-tokenized piece of text into token ids by splitting its UTF-8 bytes
 * into single-byte tokens and applying merges, lowest rank first, until none applies.
 *
 * <p>The merge loop mirrors {@code tokenizers}' {@code Word::merge_all}: a priority queue of candidate pairs
 * ordered by (rank, position), lazily discarding entries that earlier merges made stale. That keeps long pieces
 * (a minified file, a run of one character) at O(n log n) instead of the quadratic textbook loop. Results are
 * cached per piece because natural text repeats the same words constantly.
 */
final class BytePairEncoder {
    /** Pieces longer than this are not cached (the reference uses the same bound). */
    private static final int MAX_CACHED_PIECE_LENGTH = 256;
    private static final int CACHE_CAPACITY = 10_000;

    private final Vocabulary vocab;
    private final MergeTable merges;
    /** The id of the single-byte token for each byte value, or -1 when the vocabulary lacks it. */
    private final int[] byteTokenIds = new int[256];
    private final int unknownId;
    private final boolean fuseUnknown;
    private final boolean ignoreMerges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>(CACHE_CAPACITY * 2);

    /**
     * @param unknownId    id used for a byte whose token is missing from the vocabulary, or -1 to drop such bytes
     * @param fuseUnknown  whether consecutive unknown bytes collapse into one unknown token
     * @param ignoreMerges whether a piece that is itself a vocabulary entry is emitted whole, skipping merges
     */
    BytePairEncoder(Vocabulary vocab, MergeTable merges, int unknownId, boolean fuseUnknown,
                    boolean ignoreMerges) {
        this.vocab = vocab;
        this.merges = merges;
        this.unknownId = unknownId;
        this.fuseUnknown = fuseUnknown;
        this.ignoreMerges = ignoreMerges;
        for (int b = 0; b < 256; b++) {
            byteTokenIds[b] = vocab.find(String.valueOf(ByteLevelAlphabet.charOf(b)));
        }
    }

    /** The ids for one piece. The returned array may be shared with the cache: callers must not modify it. */
    int[] encode(String piece) {
        int[] cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        int[] ids = encodeUncached(piece);
        if (piece.length() <= MAX_CACHED_PIECE_LENGTH) {
            if (cache.size() >= CACHE_CAPACITY) {
                cache.clear(); // crude but bounded; the working set of words refills it quickly
            }
            cache.put(piece, ids);
        }
        return ids;
    }

    private int[] encodeUncached(String piece) {
        byte[] bytes = Utf8.encode(piece, 0, piece.length());
        if (ignoreMerges) {
            int whole = vocab.find(ByteLevelAlphabet.encode(bytes, 0, bytes.length));
            if (whole >= 0) {
                return new int[] {whole};
            }
        }
        int[] symbols = new int[bytes.length];
        int count = 0;
        for (byte b : bytes) {
            int id = byteTokenIds[b & 0xFF];
            if (id < 0) {
                if (unknownId < 0 || (fuseUnknown && count > 0 && symbols[count - 1] == unknownId)) {
                    continue;
                }
                id = unknownId;
            }
            symbols[count++] = id;
        }
        return merge(symbols, count);
    }

    /** Applies merges to {@code symbols[0, count)} in place and returns the surviving ids in order. */
    private int[] merge(int[] symbols, int count) {
        if (count < 2) {
            return java.util.Arrays.copyOf(symbols, count);
        }
        // Symbols form a doubly linked list over array slots; a merged-away slot is marked with id -1.
        int[] next = new int[count];
        int[] previous = new int[count];
        LongMinHeap candidates = new LongMinHeap(count);
        for (int i = 0; i < count; i++) {
            next[i] = i + 1;
            previous[i] = i - 1;
            if (i + 1 < count) {
                pushCandidate(candidates, symbols, i, i + 1);
            }
        }
        int alive = count;
        while (!candidates.isEmpty()) {
            long top = candidates.pop();
            int rank = (int) (top >>> 32);
            int position = (int) top;
            int right = next[position];
            if (symbols[position] < 0 || right >= count) {
                continue;
            }
            // Stale when a merge since it was queued changed either symbol: the pair then yields another token.
            int currentRank = merges.rank(symbols[position], symbols[right]);
            int mergedId = merges.mergedId(rank);
            if (currentRank < 0 || merges.mergedId(currentRank) != mergedId) {
                continue;
            }
            symbols[position] = mergedId;
            symbols[right] = -1;
            alive--;
            next[position] = next[right];
            if (next[right] < count) {
                previous[next[right]] = position;
            }
            if (previous[position] >= 0) {
                pushCandidate(candidates, symbols, previous[position], position);
            }
            if (next[position] < count) {
                pushCandidate(candidates, symbols, position, next[position]);
            }
        }
        int[] ids = new int[alive];
        int n = 0;
        for (int i = 0; i < count; i = next[i]) {
            ids[n++] = symbols[i];
        }
        return ids;
    }

    private void pushCandidate(LongMinHeap candidates, int[] symbols, int left, int right) {
        int rank = merges.rank(symbols[left], symbols[right]);
        if (rank >= 0) {
            candidates.push(((long) rank << 32) | left);
        }
    }
}
