package dev.qwen4j.model;

import dev.qwen4j.tensor.DType;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * Fixed-size blocks of key/value memory shared by every sequence of one model, with a budget. A block
 * holds `blockSize` token slots for every layer, so a sequence's cache is a list of blocks (a block
 * table) and memory is handed out and given back in whole blocks, as in vLLM's paged attention.
 *
 * <p>Prefix sharing: a full block can be published under the {@link BlockHash} of its prefix. Another
 * sequence starting with the same tokens then adopts it (refcount + 1) instead of recomputing it. A
 * published block whose refcount falls to 0 stays findable until its memory is needed for a new block
 * (least recently freed first), so a system prompt survives between requests.
 *
 * <p>Keys and values are stored as F32 (exact: what the goldens are computed with) or BF16 (half the
 * memory and half the bytes attention reads per step, as llama.cpp's f16 and vLLM's bf16 caches; values
 * rounded to nearest even when written, and widened back to f32 by the attention kernels).
 */
public final class KvBlockPool {
    /** K and V storage of one block: keys[layer][slot·kvDim + i], in f32 or (the *16 arrays) bf16 bits. */
    public static final class Block {
        final float[][] keys;
        final float[][] values;
        final short[][] keys16;
        final short[][] values16;
        int refCount;
        /** Set while published in the prefix index: the chained hash and the block's own tokens. */
        long hash;
        int[] tokens;

        Block(int layers, int elementsPerLayer, boolean bf16) {
            keys = bf16 ? null : new float[layers][elementsPerLayer];
            values = bf16 ? null : new float[layers][elementsPerLayer];
            keys16 = bf16 ? new short[layers][elementsPerLayer] : null;
            values16 = bf16 ? new short[layers][elementsPerLayer] : null;
        }

        void copyTo(Block dst) {
            for (int l = 0; l < (keys != null ? keys.length : keys16.length); l++) {
                if (keys != null) {
                    System.arraycopy(keys[l], 0, dst.keys[l], 0, keys[l].length);
                    System.arraycopy(values[l], 0, dst.values[l], 0, values[l].length);
                } else {
                    System.arraycopy(keys16[l], 0, dst.keys16[l], 0, keys16[l].length);
                    System.arraycopy(values16[l], 0, dst.values16[l], 0, values16[l].length);
                }
            }
        }

        boolean published() {
            return tokens != null;
        }
    }

    private final int layers;
    private final int kvDim;
    private final int blockSize;
    private final int maxBlocks;
    private final DType dtype;
    private final ArrayDeque<Block> free = new ArrayDeque<>();
    /** Unreferenced but published blocks, oldest first: reusable by a prefix hit until evicted. */
    private final LinkedHashSet<Block> evictable = new LinkedHashSet<>();
    private final Map<Long, Block> index = new HashMap<>();
    private int allocated;
    private int inUse;
    private long prefixHitBlocks;
    private long evictions;

    /** An F32 pool. @param maxBlocks the budget in blocks (Integer.MAX_VALUE: no limit but memory) */
    public KvBlockPool(int layers, int kvDim, int blockSize, int maxBlocks) {
        this(layers, kvDim, blockSize, maxBlocks, DType.F32);
    }

    /**
     * @param maxBlocks the budget in blocks (Integer.MAX_VALUE: no limit but memory)
     * @param dtype     F32 or BF16
     */
    public KvBlockPool(int layers, int kvDim, int blockSize, int maxBlocks, DType dtype) {
        if (blockSize < 1) throw new IllegalArgumentException("blockSize must be >= 1");
        if (maxBlocks < 1) throw new IllegalArgumentException("maxBlocks must be >= 1");
        if (dtype != DType.F32 && dtype != DType.BF16) throw new IllegalArgumentException("KV cache dtype must be f32 or bf16, not " + dtype);
        this.dtype = dtype;
        this.layers = layers;
        this.kvDim = kvDim;
        this.blockSize = blockSize;
        this.maxBlocks = maxBlocks;
    }

    public int blockSize() { return blockSize; }
    public int kvDim() { return kvDim; }
    public int layers() { return layers; }
    /** F32 or BF16. */
    public DType dtype() { return dtype; }
    /** The budget in blocks (Integer.MAX_VALUE when unlimited). */
    public int maxBlocks() { return maxBlocks; }
    /** Blocks referenced by at least one sequence. */
    public synchronized int blocksInUse() { return inUse; }
    /** Blocks that a sequence could still get (unreferenced cached prefix blocks count as free). */
    public synchronized int blocksFree() { return maxBlocks == Integer.MAX_VALUE ? Integer.MAX_VALUE : maxBlocks - inUse; }
    /** Blocks currently findable by prefix (referenced or not). */
    public synchronized int publishedBlocks() { return index.size(); }
    /** Blocks handed out by {@link #lookup} since the pool was made. */
    public synchronized long prefixHitBlocks() { return prefixHitBlocks; }
    /** Published blocks whose memory was taken back for new blocks. */
    public synchronized long evictions() { return evictions; }
    public long bytesPerBlock() { return 2L * layers * blockSize * kvDim * dtype.bytes(); }

    /** Heap left free beside a preallocated KV budget: logits, requests, images. */
    private static final long HEAP_RESERVE_BYTES = 256L << 20;

    /**
     * Makes every block of the budget now, as vLLM reserves its KV memory at start. A server then never
     * allocates KV memory while serving: blocks made on demand are young objects that every young-generation
     * GC copied until they were tenured, which at 16 sequences meant 0.3–1.9 s pauses mid-stream.
     *
     * @return the bytes allocated
     * @throws IllegalStateException when the pool has no budget, or the JVM heap cannot hold it
     */
    public synchronized long preallocate() {
        if (maxBlocks == Integer.MAX_VALUE) throw new IllegalStateException("a KV pool without a budget cannot be preallocated");
        long bytes = (long) (maxBlocks - allocated) * bytesPerBlock();
        Runtime rt = Runtime.getRuntime();
        long headroom = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()) - HEAP_RESERVE_BYTES;
        if (bytes > headroom) {
            throw new IllegalStateException(String.format(
                    "the KV cache budget needs %d MiB but the JVM heap has %d MiB to spare: lower --kv-cache-mib "
                            + "or give Java a larger heap (QWEN4J_JVM_OPTS=-Xmx...)", bytes >> 20, Math.max(0, headroom) >> 20));
        }
        while (allocated < maxBlocks) {
            free.push(newBlock());
            allocated++;
        }
        return bytes;
    }

    /** A block, or null when the budget is spent. */
    synchronized Block tryAllocate() {
        if (inUse >= maxBlocks) return null;
        Block b = free.poll();
        if (b == null && allocated < maxBlocks) {
            b = newBlock();
            allocated++;
        }
        if (b == null) {
            // Every block exists and the unreferenced ones are cached prefixes: evict the oldest.
            Iterator<Block> oldest = evictable.iterator();
            b = oldest.next();
            oldest.remove();
            unindex(b);
            evictions++;
        }
        b.refCount = 1;
        inUse++;
        return b;
    }

    synchronized void retain(Block b) {
        b.refCount++;
    }

    synchronized void release(Block b) {
        if (b.refCount <= 0) throw new IllegalStateException("block released more often than retained");
        if (--b.refCount == 0) {
            inUse--;
            if (b.published()) evictable.add(b);
            else free.push(b);
        }
    }

    /**
     * The published block with this hash whose own tokens equal tokens[from, from + blockSize), retained
     * for the caller; null when there is none.
     */
    synchronized Block lookup(long hash, int[] tokens, int from) {
        Block b = index.get(hash);
        if (b == null || !Arrays.equals(b.tokens, 0, blockSize, tokens, from, from + blockSize)) return null;
        if (b.refCount == 0) {
            evictable.remove(b);
            inUse++;
        }
        b.refCount++;
        prefixHitBlocks++;
        return b;
    }

    /** Makes a full block findable by its prefix hash (no-op when that prefix is already published). */
    synchronized void publish(Block b, long hash, int[] tokens, int from) {
        if (b.published() || index.containsKey(hash)) return;
        b.hash = hash;
        b.tokens = Arrays.copyOfRange(tokens, from, from + blockSize);
        index.put(hash, b);
    }

    /**
     * A block the caller may overwrite in place of b: b itself (unpublished first) when only the caller
     * holds it, else a private copy, b being released.
     *
     * @throws IllegalStateException when a copy is needed and the budget is spent
     */
    synchronized Block writable(Block b) {
        if (b.refCount == 1) {
            unindex(b);
            return b;
        }
        Block copy = tryAllocate();
        if (copy == null) throw new IllegalStateException("KV cache pool exhausted: cannot copy a shared block");
        b.copyTo(copy);
        release(b);
        return copy;
    }

    private Block newBlock() {
        return new Block(layers, blockSize * kvDim, dtype == DType.BF16);
    }

    private void unindex(Block b) {
        if (!b.published()) return;
        index.remove(b.hash, b);
        b.tokens = null;
        b.hash = 0;
    }
}
