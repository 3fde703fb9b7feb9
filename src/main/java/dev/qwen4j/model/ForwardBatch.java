package dev.qwen4j.model;

import java.util.Arrays;

/**
 * The tokens of one forward step, possibly from several independent sequences (continuous batching).
 * Token i belongs to caches[i] at slot cachePositions[i]; tokens of one sequence appear in order, and
 * every earlier slot of that sequence is either already cached or earlier in this batch.
 * Rotary positions equal cache positions for text models; Qwen3-VL gives rows 3 positions (t, h, w),
 * and its visual tokens an input embedding and DeepStack rows in place of the token's embedding.
 * Rows with and without these extras mix freely, so sequences with and without images share a step.
 */
public final class ForwardBatch {
    private int size;
    private int[] tokens = new int[16];
    private int[] cachePositions = new int[16];
    private KvCache[] caches = new KvCache[16];
    private boolean[] wantLogits = new boolean[16];
    private int[][] ropePositions; // [3][capacity] once any row has explicit positions; null = cache positions
    private int hidden; // width of the rows below, set by the first visual row
    private float[] embeddings; // [capacity·hidden]: input embeddings of rows with overrideRow set
    private boolean[] overrideRow;
    private float[][] deepstack; // [levels][capacity·hidden]: added after decoder layer l at override rows

    public int size() { return size; }
    public int token(int i) { return tokens[i]; }
    public int cachePosition(int i) { return cachePositions[i]; }
    public KvCache cache(int i) { return caches[i]; }
    public boolean wantsLogits(int i) { return wantLogits[i]; }

    /** Rotary positions of every row on one axis: the cache positions unless some row has (t, h, w) positions. */
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

    /** Appends one token (rotary position = cache position); returns its index in the batch. */
    public int add(KvCache cache, int token, int cachePosition, boolean logits) {
        if (size == tokens.length) grow();
        tokens[size] = token;
        cachePositions[size] = cachePosition;
        caches[size] = cache;
        wantLogits[size] = logits;
        if (ropePositions != null) for (int[] row : ropePositions) row[size] = cachePosition;
        if (overrideRow != null) overrideRow[size] = false;
        return size++;
    }

    /** Appends one token with M-RoPE positions (t, h, w); returns its index in the batch. */
    public int add(KvCache cache, int token, int cachePosition, boolean logits, int t, int h, int w) {
        int i = add(cache, token, cachePosition, logits);
        if (ropePositions == null) {
            ropePositions = new int[3][tokens.length];
            for (int[] row : ropePositions) System.arraycopy(cachePositions, 0, row, 0, size);
        }
        ropePositions[0][i] = t;
        ropePositions[1][i] = h;
        ropePositions[2][i] = w;
        return i;
    }

    /** Appends a run of prompt tokens of one sequence starting at its current cache length. */
    public void addSequence(KvCache cache, int[] ids, int from, int to, boolean logitsForLast) {
        int start = cache.length();
        for (int i = from; i < to; i++) add(cache, ids[i], start + (i - from), logitsForLast && i == to - 1);
    }

    /** Sets M-RoPE positions rows[axis][i] for every token added so far (call after adding tokens). */
    public void setRopePositions(int[][] rows) {
        if (rows.length != 3) throw new IllegalArgumentException("rope positions need 3 rows (t, h, w), got " + rows.length);
        for (int[] r : rows) if (r.length < size) throw new IllegalArgumentException("rope position rows shorter than the batch");
        ropePositions = new int[3][tokens.length];
        for (int a = 0; a < 3; a++) System.arraycopy(rows[a], 0, ropePositions[a], 0, size);
    }

    /**
     * Replaces the token embedding of row i by embedding[off .. off+hidden) (an image feature), and gives
     * the row DeepStack rows: after decoder layer l < deepstack.length, deepstack[l][dsOff .. dsOff+hidden)
     * is added to its hidden state. Every visual row of a batch has the same number of levels.
     */
    public void setVisualRow(int i, float[] embedding, int off, float[][] deepstackLevels, int dsOff, int hidden) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("row " + i + " of a batch of " + size);
        if (embeddings == null) {
            this.hidden = hidden;
            embeddings = new float[tokens.length * hidden];
            overrideRow = new boolean[tokens.length];
            deepstack = new float[deepstackLevels.length][tokens.length * hidden];
        } else if (hidden != this.hidden || deepstackLevels.length != deepstack.length) {
            throw new IllegalArgumentException("visual rows of one batch must share hidden size and DeepStack levels");
        }
        System.arraycopy(embedding, off, embeddings, i * hidden, hidden);
        for (int l = 0; l < deepstack.length; l++) System.arraycopy(deepstackLevels[l], dsOff, deepstack[l], i * hidden, hidden);
        overrideRow[i] = true;
    }

    /** Input embeddings of the visual rows: row i at [i·hidden ..] where {@link #overridesRow} is true. */
    public float[] embeddingOverride() { return embeddings; }
    public boolean overridesRow(int i) { return overrideRow != null && overrideRow[i]; }

    /** DeepStack rows [levels][i·hidden ..] of the visual rows, or null when the batch has none. */
    public float[][] deepstack() { return deepstack; }

    public void clear() {
        Arrays.fill(caches, 0, size, null);
        size = 0;
        ropePositions = null;
        embeddings = null;
        overrideRow = null;
        deepstack = null;
        hidden = 0;
    }

    private void grow() {
        int n = tokens.length * 2;
        tokens = Arrays.copyOf(tokens, n);
        cachePositions = Arrays.copyOf(cachePositions, n);
        caches = Arrays.copyOf(caches, n);
        wantLogits = Arrays.copyOf(wantLogits, n);
        if (ropePositions != null) for (int a = 0; a < 3; a++) ropePositions[a] = Arrays.copyOf(ropePositions[a], n);
        if (embeddings != null) {
            embeddings = Arrays.copyOf(embeddings, n * hidden);
            overrideRow = Arrays.copyOf(overrideRow, n);
            for (int l = 0; l < deepstack.length; l++) deepstack[l] = Arrays.copyOf(deepstack[l], n * hidden);
        }
    }
}
