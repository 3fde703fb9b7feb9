package dev.qwen4j.model;

/**
 * A prompt ready for a vision-language model's prefill: token ids, the 3-axis rotary positions, and
 * for each visual token its embedding (replacing the pad token's) and its DeepStack rows. Visual rows
 * are stored in sequence order, so chunk [from, to) takes exactly the rows of the visual tokens inside
 * it — the slicing chunked prefill must get right (spec §4.4).
 */
public final class MultimodalPrompt {
    private final int[] ids;
    private final int[][] positions; // [3][L]
    private final int ropeDelta;
    private final boolean[] visual;
    private final int[] visualRank; // rank of token i among visual tokens (valid where visual[i])
    private final int hidden;
    private final float[] visualEmbeds; // [visualTokens × hidden]
    private final float[][] deepstack; // [levels][visualTokens × hidden]

    public MultimodalPrompt(int[] ids, int[][] positions, int ropeDelta, boolean[] visual, int hidden,
                            float[] visualEmbeds, float[][] deepstack) {
        int n = ids.length;
        if (positions.length != 3 || positions[0].length != n || positions[1].length != n || positions[2].length != n) {
            throw new IllegalArgumentException("positions must be 3 rows of " + n);
        }
        if (visual.length != n) throw new IllegalArgumentException("visual mask must have " + n + " entries");
        this.ids = ids;
        this.positions = positions;
        this.ropeDelta = ropeDelta;
        this.visual = visual;
        this.hidden = hidden;
        this.visualRank = new int[n];
        int v = 0;
        for (int i = 0; i < n; i++) if (visual[i]) visualRank[i] = v++;
        if ((long) v * hidden != visualEmbeds.length) {
            throw new IllegalArgumentException(v + " visual tokens but " + visualEmbeds.length / Math.max(1, hidden) + " embedding rows");
        }
        for (float[] d : deepstack) {
            if (d.length != visualEmbeds.length) throw new IllegalArgumentException("deepstack rows must match the visual embedding rows");
        }
        this.visualEmbeds = visualEmbeds;
        this.deepstack = deepstack;
    }

    public int length() { return ids.length; }
    public int[] ids() { return ids; }
    public int ropeDelta() { return ropeDelta; }
    public boolean isVisual(int i) { return visual[i]; }

    /** Position of token i on axis 0 (T), 1 (H) or 2 (W). */
    public int position(int axis, int i) { return positions[axis][i]; }

    /** The ids with every visual token replaced by -1: equal ids no longer imply equal inputs there. */
    public int[] idsWithVisualMasked() {
        int[] out = ids.clone();
        for (int i = 0; i < out.length; i++) if (visual[i]) out[i] = -1;
        return out;
    }

    /**
     * Appends tokens [from, to) of this prompt to the batch, for one sequence whose cache holds exactly
     * the tokens before from: ids, their (T, H, W) positions, and for visual tokens their embedding and
     * the DeepStack rows of those tokens only. The batch may hold other sequences' rows.
     */
    public void addChunk(ForwardBatch batch, KvCache cache, int from, int to, boolean logitsForLast) {
        if (cache.length() != from) throw new IllegalStateException("the cache holds " + cache.length() + " tokens, the chunk starts at " + from);
        if (from < 0 || to > ids.length || from >= to) throw new IllegalArgumentException("chunk [" + from + ", " + to + ") of a " + ids.length + "-token prompt");
        for (int i = from; i < to; i++) addToken(batch, cache, ids[i], i, logitsForLast && i == to - 1);
    }

    /**
     * Appends the token at sequence index i: a prompt token with its positions (and, if visual, its embedding
     * and DeepStack rows), or a generated token past the prompt at the decode position. For schedulers that
     * mix sequences and recompute generated tokens after preemption.
     */
    public void addToken(ForwardBatch batch, KvCache cache, int token, int i, boolean logits) {
        if (i >= ids.length) {
            int p = decodePosition(i, ropeDelta);
            batch.add(cache, token, i, logits, p, p, p);
            return;
        }
        int row = batch.add(cache, token, i, logits, positions[0][i], positions[1][i], positions[2][i]);
        if (visual[i]) batch.setVisualRow(row, visualEmbeds, visualRank[i] * hidden, deepstack, visualRank[i] * hidden, hidden);
    }

    /** Index of the first visual token (Integer.MAX_VALUE: none): KV before it depends on token ids alone. */
    public int firstVisual() {
        for (int i = 0; i < visual.length; i++) if (visual[i]) return i;
        return Integer.MAX_VALUE;
    }

    /** Rotary position (on all three axes) of a decoded token at cache index p: p + ropeDelta. */
    public static int decodePosition(int cacheIndex, int ropeDelta) {
        return cacheIndex + ropeDelta;
    }
}
