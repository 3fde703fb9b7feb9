package dev.qwen4j.model;

import java.util.Arrays;

/**
 * The tokens of one forward step, possibly from several independent sequences (continuous batching).
 * Token i belongs to caches[i] at slot cachePositions[i]; tokens of one sequence appear in order, and
 * every earlier slot of that sequence is either already cached or earlier in this batch.
 * Rotary positions equal cache positions for text models; Qwen3-VL sets 3 rows (t, h, w).
 */
public final class ForwardBatch {
    private int size;
    private int[] tokens = new int[16];
    private int[] cachePositions = new int[16];
    private int[][] ropePositions; // [axes][capacity]; null = same as cachePositions
    private KvCache[] caches = new KvCache[16];
    private boolean[] wantLogits = new boolean[16];
    private float[] embeddings; // optional [size·H] input embeddings overriding rows with overrideRow set
    private boolean[] overrideRow;
    private float[][] deepstack; // optional [levels][size·H] added after the first decoder layers at override rows

    public int size() { return size; }
    public int token(int i) { return tokens[i]; }
    public int cachePosition(int i) { return cachePositions[i]; }
    public KvCache cache(int i) { return caches[i]; }
    public boolean wantsLogits(int i) { return wantLogits[i]; }

    /** Rotary positions: 1 row for text models, or the (t, h, w) rows when set by {@link #setRopePositions}. */
    public int[] ropePositionRow(int axis) {
        if (ropePositions == null) return cachePositions;
        return ropePositions[axis];
    }

    public boolean hasMultimodalPositions() {
        return ropePositions != null;
    }

    public int logitRows() {
        int n = 0;
        for (int i = 0; i < size; i++) if (wantLogits[i]) n++;
        return n;
    }

    /** Appends one token; returns its index in the batch. */
    public int add(KvCache cache, int token, int cachePosition, boolean logits) {
        if (size == tokens.length) grow();
        tokens[size] = token;
        cachePositions[size] = cachePosition;
        caches[size] = cache;
        wantLogits[size] = logits;
        return size++;
    }

    /** Appends a run of prompt tokens of one sequence starting at its current cache length. */
    public void addSequence(KvCache cache, int[] ids, int from, int to, boolean logitsForLast) {
        int start = cache.length();
        for (int i = from; i < to; i++) add(cache, ids[i], start + (i - from), logitsForLast && i == to - 1);
    }

    /** Sets M-RoPE positions rows[axis][i] for every token of the batch (call after adding tokens). */
    public void setRopePositions(int[][] rows) {
        for (int[] r : rows) if (r.length < size) throw new IllegalArgumentException("rope position rows shorter than the batch");
        this.ropePositions = rows;
    }

    /** Replaces the token embedding of row i by embeddings[i·hidden ...] (image features). */
    public void setEmbeddingOverride(float[] embeddings, boolean[] rows) {
        this.embeddings = embeddings;
        this.overrideRow = rows;
    }

    /**
     * Qwen3-VL DeepStack: after decoder layer l < levels.length, levels[l][i·hidden ...] is added to the
     * hidden state of every row i whose embedding is overridden (the visual tokens).
     */
    public void setDeepstack(float[][] levels) {
        this.deepstack = levels;
    }

    /** The DeepStack rows of this batch, or null. */
    public float[][] deepstack() { return deepstack; }

    public float[] embeddingOverride() { return embeddings; }
    public boolean overridesRow(int i) { return overrideRow != null && overrideRow[i]; }

    public void clear() {
        Arrays.fill(caches, 0, size, null);
        size = 0;
        ropePositions = null;
        embeddings = null;
        overrideRow = null;
        deepstack = null;
    }

    private void grow() {
        int n = tokens.length * 2;
        tokens = Arrays.copyOf(tokens, n);
        cachePositions = Arrays.copyOf(cachePositions, n);
        caches = Arrays.copyOf(caches, n);
        wantLogits = Arrays.copyOf(wantLogits, n);
    }
}
