package dev.qwen4j.model.layers;

import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.tensor.Bf16;
import dev.qwen4j.tensor.MatMulGroup;
import dev.qwen4j.tensor.Ops;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;

/**
 * Qwen3 self-attention: q/k/v projections, per-head RMSNorm of q and k, RoPE, KV-cache append, causal
 * GQA softmax attention in f32, output projection. Optional q/k/v biases (Qwen3-VL's vision tower and
 * Qwen2-style models have them; Qwen3 text does not).
 */
public final class Attention {
    private final WeightMatrix wq, wk, wv, wo;
    /** q, k and v projections in one pass (one dispatch per decode step instead of three). */
    private final MatMulGroup qkv;
    private final float[] qNorm, kNorm;
    private final int numHeads, numKvHeads, headDim;
    private final float eps;
    private final int layer;

    public Attention(int layer, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                     float[] qNorm, float[] kNorm, int numHeads, int numKvHeads, int headDim, float eps) {
        this.layer = layer;
        this.wq = wq;
        this.wk = wk;
        this.wv = wv;
        this.wo = wo;
        this.qkv = new MatMulGroup(wq, wk, wv);
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.numHeads = numHeads;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.eps = eps;
    }

    /** out[n×H] = Attention(x[n×H]) for the batch; scratch arrays are sized by the caller. */
    public void forward(ForwardBatch batch, float[] x, float[] out, Scratch s, RotaryEmbedding rope) {
        int n = batch.size();
        int qDim = numHeads * headDim, kvDim = numKvHeads * headDim;
        qkv.matmul(x, 0, s.qkv(), n);

        int half = headDim / 2;
        s.ropeTable(batch, n, rope, half);
        float[] cos = s.cos, sin = s.sin;
        Parallel.RangeTask prep = (from, to) -> {
            for (int t = from; t < to; t++) {
                for (int h = 0; h < numHeads; h++) Ops.rmsnorm(s.q, t * qDim + h * headDim, s.q, t * qDim + h * headDim, qNorm, headDim, eps);
                for (int h = 0; h < numKvHeads; h++) Ops.rmsnorm(s.k, t * kvDim + h * headDim, s.k, t * kvDim + h * headDim, kNorm, headDim, eps);
                rope.rotate(s.q, t * qDim, numHeads, cos, sin, t * half);
                rope.rotate(s.k, t * kvDim, numKvHeads, cos, sin, t * half);
                KvCache c = batch.cache(t);
                int p = batch.cachePosition(t);
                if (c.bf16()) {
                    Bf16.round(s.k, t * kvDim, c.keys16(layer, p), c.slotOffset(p), kvDim);
                    Bf16.round(s.v, t * kvDim, c.values16(layer, p), c.slotOffset(p), kvDim);
                } else {
                    System.arraycopy(s.k, t * kvDim, c.keys(layer, p), c.slotOffset(p), kvDim);
                    System.arraycopy(s.v, t * kvDim, c.values(layer, p), c.slotOffset(p), kvDim);
                }
            }
        };
        // tokens write disjoint rows and cache slots; a decode step is too small to be worth a dispatch
        if (n >= TILE_MIN_TOKENS) Parallel.forRange(n, 1, prep);
        else prep.run(0, n);

        float scale = (float) (1.0 / Math.sqrt(headDim));
        int group = numHeads / numKvHeads;
        if (n >= TILE_MIN_TOKENS && QueryTileAttention.fits(group) && !oneTokenPerSequence(batch)) {
            // KV-head-major items in a few chunks per thread: a chunk stays on one head's keys and values
            long pass = QueryTileAttention.newPass();
            Parallel.forChunks(numKvHeads * QueryTileAttention.tiles(n, group), 1, 4 * Parallel.threads(), (from, to) ->
                    QueryTileAttention.run(batch, layer, s.q, s.att, numHeads, numKvHeads, headDim, scale, pass, from, to));
        } else {
            int maxLen = 0;
            for (int t = 0; t < n; t++) maxLen = Math.max(maxLen, batch.cachePosition(t) + 1);
            // decode: token by token, each reading its cached K and V rows in order; with fewer than 2 tokens per
            // thread, each token's KV heads are split into contiguous ranges too, to keep every thread busy
            int parts = n >= 2 * Parallel.threads() ? 1 : Math.min(numKvHeads, (2 * Parallel.threads() + n - 1) / n);
            int scoreSize = numHeads * maxLen;
            Parallel.forRange(n * parts, 1, (from, to) -> CachedAttention.runTokens(batch, layer, s.q, s.att, numHeads,
                    numKvHeads, headDim, scale, parts, from, to, scores(scoreSize), acc(qDim)));
        }
        wo.matmul(s.att, 0, out, 0, n);
    }

    /** From this many tokens on, query tiles are (nearly) full and {@link QueryTileAttention} wins. */
    private static final int TILE_MIN_TOKENS = 8;

    /**
     * Whether no two tokens of the batch share a cache (a decode batch): query tiles would then mix
     * sequences and fall back to one KV head of one token at a time.
     */
    private static boolean oneTokenPerSequence(ForwardBatch batch) {
        for (int t = 1; t < batch.size(); t++) if (batch.cache(t) == batch.cache(t - 1)) return false;
        return true;
    }

    private static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's output accumulator of at least size floats. */
    private static float[] acc(int size) {
        float[] a = ACC.get();
        if (a.length < size) ACC.set(a = new float[size]);
        return a;
    }

    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's score buffer of at least size floats (kept across calls: no per-token garbage). */
    private static float[] scores(int size) {
        float[] a = SCORES.get();
        if (a.length < size) SCORES.set(a = new float[Math.max(size, 2 * a.length)]);
        return a;
    }

    /** See {@link WeightMatrix#packForBatches}; returns the bytes added. */
    public long packForBatches() {
        return wq.packForBatches() + wk.packForBatches() + wv.packForBatches() + wo.packForBatches();
    }

    /** See {@link dev.qwen4j.model.LanguageModel#interleaveForDecode}. */
    public long interleaveForDecode() {
        return interleaved(wq) + interleaved(wk) + interleaved(wv) + interleaved(wo);
    }

    /** Makes w's interleaved decode copy if its dtype has one; returns its bytes (0 if none). */
    static long interleaved(WeightMatrix w) {
        var p = w.interleaved();
        return p == null ? 0 : p.byteSize();
    }

    public long bytesPerToken() {
        return wq.decodeBytes() + wk.decodeBytes() + wv.decodeBytes() + wo.decodeBytes();
    }

    public long flopsPerToken() {
        return 2L * (wq.rows() + wk.rows() + wv.rows()) * wq.cols() + 2L * wo.rows() * wo.cols();
    }

    /** Per-step activation buffers for attention, reused across layers and steps. */
    public static final class Scratch {
        public float[] q = new float[0], k = new float[0], v = new float[0], att = new float[0];
        private float[][] qkv = {q, k, v};
        private float[] cos = new float[0], sin = new float[0];
        private int[] posRows = new int[0];
        private RotaryEmbedding ropeOwner;
        private int ropeTokens = -1;

        public void ensure(int n, int qDim, int kvDim) {
            if (q.length < n * qDim) {
                q = new float[n * qDim];
                att = new float[n * qDim];
            }
            if (k.length < n * kvDim) {
                k = new float[n * kvDim];
                v = new float[n * kvDim];
            }
            if (qkv[0] != q || qkv[1] != k) qkv = new float[][] {q, k, v};
        }

        float[][] qkv() {
            return qkv;
        }

        /**
         * Fills {@link #cos}/{@link #sin}[t·half ..] with token t's rotary angles, unless they already hold
         * them for the same positions: every layer of a step has the same positions, so the trig runs once
         * per step, not once per layer.
         */
        void ropeTable(ForwardBatch batch, int n, RotaryEmbedding rope, int half) {
            int axes = batch.hasMultimodalPositions() ? 3 : 1;
            if (posRows.length < 3 * n) posRows = new int[3 * n];
            boolean same = rope == ropeOwner && n == ropeTokens;
            for (int a = 0; a < 3; a++) {
                int[] row = batch.ropePositionRow(Math.min(a, axes - 1));
                same &= java.util.Arrays.equals(row, 0, n, posRows, a * n, a * n + n);
                System.arraycopy(row, 0, posRows, a * n, n);
            }
            if (same) return;
            if (cos.length < n * half) {
                cos = new float[n * half];
                sin = new float[n * half];
            }
            for (int t = 0; t < n; t++) rope.angles(posRows, t, n, cos, sin, t * half);
            ropeOwner = rope;
            ropeTokens = n;
        }
    }
}
