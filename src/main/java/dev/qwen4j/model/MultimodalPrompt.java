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
     * Puts tokens [from, to) of this prompt into an empty batch for one sequence whose cache holds
     * exactly the tokens before from: ids, their (T, H, W) positions, and for visual tokens the
     * embedding override and the DeepStack rows of those tokens only.
     */
    public void addChunk(ForwardBatch batch, KvCache cache, int from, int to, boolean logitsForLast) {
        if (batch.size() != 0) throw new IllegalArgumentException("addChunk needs an empty batch");
        if (cache.length() != from) throw new IllegalStateException("the cache holds " + cache.length() + " tokens, the chunk starts at " + from);
        if (from < 0 || to > ids.length || from >= to) throw new IllegalArgumentException("chunk [" + from + ", " + to + ") of a " + ids.length + "-token prompt");
        int n = to - from;
        batch.addSequence(cache, ids, from, to, logitsForLast);
        int[][] rows = new int[3][n];
        for (int a = 0; a < 3; a++) System.arraycopy(positions[a], from, rows[a], 0, n);
        batch.setRopePositions(rows);
        boolean any = false;
        for (int i = from; i < to && !any; i++) any = visual[i];
        if (!any) return;
        boolean[] override = new boolean[n];
        float[] embeds = new float[n * hidden];
        float[][] ds = new float[deepstack.length][n * hidden];
        for (int i = from; i < to; i++) {
            if (!visual[i]) continue;
            int r = visualRank[i], t = i - from;
            override[t] = true;
            System.arraycopy(visualEmbeds, r * hidden, embeds, t * hidden, hidden);
            for (int l = 0; l < ds.length; l++) System.arraycopy(deepstack[l], r * hidden, ds[l], t * hidden, hidden);
        }
        batch.setEmbeddingOverride(embeds, override);
        batch.setDeepstack(ds);
    }

    /** Rotary positions (3 equal rows) of a decoded token at cache index p: p + ropeDelta. */
    public static int[][] decodePositions(int cacheIndex, int ropeDelta) {
        int p = cacheIndex + ropeDelta;
        return new int[][] {{p}, {p}, {p}};
    }
}
