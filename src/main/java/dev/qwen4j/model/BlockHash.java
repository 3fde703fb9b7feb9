package dev.qwen4j.model;

/**
 * Content hashes of full KV blocks for prefix sharing. A block's hash chains its parent's hash with its own
 * tokens, so equal hashes mean equal whole prefixes (up to 64-bit collisions, which the pool also guards
 * against by comparing the block's own tokens).
 */
public final class BlockHash {
    /** Parent hash of a sequence's first block. */
    public static final long ROOT = 0x5157454E344A4B56L;

    private BlockHash() {}

    /** Hash of the block holding tokens[from, to) after a prefix whose last block hashed to parent. */
    public static long of(long parent, int[] tokens, int from, int to) {
        long h = mix(parent ^ 0x9E3779B97F4A7C15L);
        for (int i = from; i < to; i++) h = mix(h + 0xC2B2AE3D27D4EB4FL * (1 + (tokens[i] & 0xFFFFFFFFL)));
        return mix(h ^ (to - from));
    }

    /** MurmurHash3's 64-bit finalizer: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
