package dev.qwen4j.model;

import java.util.ArrayDeque;

/**
 * Fixed-size blocks of key/value memory shared by every sequence of one model, with a budget. A block
 * holds `blockSize` token slots for every layer, so a sequence's cache is a list of blocks (a block
 * table) and memory is handed out and given back in whole blocks, as in vLLM's paged attention.
 */
public final class KvBlockPool {
    /** K and V storage of one block: keys[layer][slot·kvDim + i]. */
    public static final class Block {
        final float[][] keys;
        final float[][] values;
        int refCount;

        Block(int layers, int floatsPerLayer) {
            keys = new float[layers][floatsPerLayer];
            values = new float[layers][floatsPerLayer];
        }
    }

    private final int layers;
    private final int kvDim;
    private final int blockSize;
    private final int maxBlocks;
    private final ArrayDeque<Block> free = new ArrayDeque<>();
    private int allocated;
    private int inUse;

    /** @param maxBlocks the budget in blocks (Integer.MAX_VALUE: no limit but memory) */
    public KvBlockPool(int layers, int kvDim, int blockSize, int maxBlocks) {
        if (blockSize < 1) throw new IllegalArgumentException("blockSize must be >= 1");
        this.layers = layers;
        this.kvDim = kvDim;
        this.blockSize = blockSize;
        this.maxBlocks = maxBlocks;
    }

    public int blockSize() { return blockSize; }
    public int kvDim() { return kvDim; }
    public int layers() { return layers; }
    public synchronized int blocksInUse() { return inUse; }
    public synchronized int blocksFree() { return maxBlocks == Integer.MAX_VALUE ? Integer.MAX_VALUE : maxBlocks - inUse; }
    public long bytesPerBlock() { return 2L * layers * blockSize * kvDim * Float.BYTES; }

    /** A block, or null when the budget is spent. */
    synchronized Block tryAllocate() {
        if (inUse >= maxBlocks) return null;
        Block b = free.poll();
        if (b == null) {
            b = new Block(layers, blockSize * kvDim);
            allocated++;
        }
        b.refCount = 1;
        inUse++;
        return b;
    }

    synchronized void retain(Block b) {
        b.refCount++;
    }

    synchronized void release(Block b) {
        if (--b.refCount == 0) {
            inUse--;
            free.push(b);
        }
    }
}
