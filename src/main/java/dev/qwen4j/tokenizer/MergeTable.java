package dev.qwen4j.tokenizer;

import java.util.Arrays;

/**
 * BPE merge rules keyed by the pair of token ids they join: an open-addressing hash table over primitive
 * longs, because 151k boxed entries would cost several times the memory and a noticeable share of load time.
 */
final class MergeTable {
    private static final long EMPTY = -1L; // never a key: both ids are non-negative

    private final long[] keys;
    private final int[] ranks;
    private final int[] mergedIdByRank;
    private final int mask;

    MergeTable(int mergeCount) {
        int capacity = Integer.highestOneBit(Math.max(4, mergeCount * 2 - 1)) << 1;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        ranks = new int[capacity];
        mask = capacity - 1;
        mergedIdByRank = new int[mergeCount];
    }

    /**
     * Records that {@code left right} merges into {@code mergedId} with priority {@code rank} (lower first). A pair
     * listed twice keeps its later rank, as in the reference implementation's map.
     */
    void put(int left, int right, int rank, int mergedId) {
        long key = key(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        ranks[slot] = rank;
        mergedIdByRank[rank] = mergedId;
    }

    /** The rank of the merge of {@code left right}, or -1 when the pair never merges. */
    int rank(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        long found;
        while ((found = keys[slot]) != EMPTY) {
            if (found == key) {
                return ranks[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** The id produced by the merge of the given rank. */
    int mergedId(int rank) {
        return mergedIdByRank[rank];
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFF_FFFFL);
    }

    private int slot(long key) {
        long mixed = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (mixed ^ (mixed >>> 29)) & mask;
    }
}
