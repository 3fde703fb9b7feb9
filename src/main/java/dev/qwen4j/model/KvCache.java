package dev.qwen4j.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The key/value cache of one sequence: a block table over a {@link KvBlockPool}. Slot p holds the
 * post-norm, post-RoPE key and the value of the token at cache position p, for every layer.
 *
 * <p>Full blocks may be shared with other sequences ({@link #reusePrefix}, {@link #publishFullBlocks}).
 * Shared blocks are never written: a sequence only writes slots at or past its length, which lie past
 * every shared block, and {@link #truncate} copies a shared block before cutting into it.
 */
public final class KvCache implements AutoCloseable {
    private final KvBlockPool pool;
    private final List<KvBlockPool.Block> blocks = new ArrayList<>();
    private final int maxTokens;
    private int length;
    /** Chained {@link BlockHash}es of the leading full blocks whose prefix hash is known. */
    private long[] hashes = new long[8];
    private int hashed;

    public KvCache(KvBlockPool pool, int maxTokens) {
        this.pool = pool;
        this.maxTokens = maxTokens;
    }

    /** Number of token slots filled (the next token goes at this position). */
    public int length() {
        return length;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /**
     * Makes room for slots [0, tokens); false (and no change) when the pool's budget cannot cover it.
     * Throws when tokens exceeds the model's context.
     */
    public boolean reserve(int tokens) {
        if (tokens > maxTokens) {
            throw new ContextOverflowException(tokens, maxTokens);
        }
        int bs = pool.blockSize();
        int need = (tokens + bs - 1) / bs;
        List<KvBlockPool.Block> fresh = new ArrayList<>();
        while (blocks.size() + fresh.size() < need) {
            KvBlockPool.Block b = pool.tryAllocate();
            if (b == null) {
                fresh.forEach(pool::release);
                return false;
            }
            fresh.add(b);
        }
        blocks.addAll(fresh);
        return true;
    }

    /** Marks slots [0, newLength) as filled (after a forward pass wrote them). */
    public void setLength(int newLength) {
        if (newLength > blocks.size() * pool.blockSize()) throw new IllegalStateException("slots not reserved: " + newLength);
        length = newLength;
    }

    /** Drops slots from newLength on, giving whole unused blocks back. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) throw new IllegalArgumentException("truncate to " + newLength + " of " + length);
        length = newLength;
        int bs = pool.blockSize();
        int keep = (newLength + bs - 1) / bs;
        while (blocks.size() > keep) pool.release(blocks.remove(blocks.size() - 1));
        hashed = Math.min(hashed, newLength / bs);
        if (newLength % bs != 0) {
            // The kept part of the last block will be overwritten past newLength: it must be ours alone.
            int last = keep - 1;
            blocks.set(last, pool.writable(blocks.get(last)));
        }
    }

    /**
     * Adopts published blocks that hold a prefix of tokens[0, limit), block by block, and returns the
     * number of token slots now filled (a multiple of the block size). Call on an empty cache.
     */
    public int reusePrefix(int[] tokens, int limit) {
        if (length != 0 || !blocks.isEmpty()) throw new IllegalStateException("reusePrefix needs an empty cache");
        int bs = pool.blockSize();
        long parent = BlockHash.ROOT;
        int n = 0;
        while ((n + 1) * bs <= Math.min(limit, tokens.length)) {
            long h = BlockHash.of(parent, tokens, n * bs, (n + 1) * bs);
            KvBlockPool.Block b = pool.lookup(h, tokens, n * bs);
            if (b == null) break;
            blocks.add(b);
            recordHash(n, h);
            parent = h;
            n++;
        }
        length = n * bs;
        return length;
    }

    /**
     * Publishes every full block not yet published so later sequences with the same prefix can adopt it.
     *
     * @param tokens the tokens of this sequence, at least {@link #length()} of them
     */
    public void publishFullBlocks(int[] tokens) {
        publishFullBlocks(tokens, Integer.MAX_VALUE);
    }

    /** Like {@link #publishFullBlocks(int[])}, for the blocks that lie wholly before upTo only. */
    public void publishFullBlocks(int[] tokens, int upTo) {
        if (tokens.length < length) throw new IllegalArgumentException("need the " + length + " cached tokens, got " + tokens.length);
        int bs = pool.blockSize();
        int full = Math.min(length, upTo) / bs;
        while (hashed < full) {
            long parent = hashed == 0 ? BlockHash.ROOT : hashes[hashed - 1];
            long h = BlockHash.of(parent, tokens, hashed * bs, (hashed + 1) * bs);
            pool.publish(blocks.get(hashed), h, tokens, hashed * bs);
            recordHash(hashed, h);
        }
    }

    private void recordHash(int block, long h) {
        if (block >= hashes.length) hashes = Arrays.copyOf(hashes, Math.max(block + 1, hashes.length * 2));
        hashes[block] = h;
        hashed = block + 1;
    }

    /** Blocks in this cache's table (including reserved, not yet filled ones). */
    public int blockCount() {
        return blocks.size();
    }

    /** Whether keys and values are stored as bf16 ({@link #keys16}, {@link #values16}) rather than f32. */
    public boolean bf16() {
        return pool.dtype() == dev.qwen4j.tensor.DType.BF16;
    }

    /** The f32 key array of the block holding slot pos (null in a bf16 cache). */
    public float[] keys(int layer, int pos) {
        return blocks.get(pos / pool.blockSize()).keys[layer];
    }

    public float[] values(int layer, int pos) {
        return blocks.get(pos / pool.blockSize()).values[layer];
    }

    /** The bf16 key array (bit patterns) of the block holding slot pos (null in an f32 cache). */
    public short[] keys16(int layer, int pos) {
        return blocks.get(pos / pool.blockSize()).keys16[layer];
    }

    public short[] values16(int layer, int pos) {
        return blocks.get(pos / pool.blockSize()).values16[layer];
    }

    public int slotOffset(int pos) {
        return (pos % pool.blockSize()) * pool.kvDim();
    }

    /** Slots per block: slots b·blockSize() .. (b+1)·blockSize() − 1 share one key and one value array. */
    public int blockSize() {
        return pool.blockSize();
    }

    /** Floats per slot (all KV heads of one token) in the key and value arrays. */
    public int kvDim() {
        return pool.kvDim();
    }

    /** Gives every block back to the pool. */
    @Override
    public void close() {
        blocks.forEach(pool::release);
        blocks.clear();
        length = 0;
        hashed = 0;
    }
}
