package dev.qwen4j.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The key/value cache of one sequence: a block table over a {@link KvBlockPool}. Slot p holds the
 * post-norm, post-RoPE key and the value of the token at cache position p, for every layer.
 */
public final class KvCache implements AutoCloseable {
    private final KvBlockPool pool;
    private final List<KvBlockPool.Block> blocks = new ArrayList<>();
    private final int maxTokens;
    private int length;

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
    }

    public float[] keys(int layer, int pos) {
        return blocks.get(pos / pool.blockSize()).keys[layer];
    }

    public float[] values(int layer, int pos) {
        return blocks.get(pos / pool.blockSize()).values[layer];
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
    }
}
