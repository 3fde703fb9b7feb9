package dev.qwen4j.model.qwen3;

import dev.qwen4j.format.TensorStore;
import dev.qwen4j.tensor.DType;
import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvBlockPool;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.model.LanguageModel;
import dev.qwen4j.model.layers.Attention;
import dev.qwen4j.model.layers.DenseMlp;
import dev.qwen4j.model.layers.FeedForward;
import dev.qwen4j.model.layers.RotaryEmbedding;
import dev.qwen4j.model.layers.SparseMoe;
import dev.qwen4j.tensor.Ops;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;

/**
 * The Qwen3 / Qwen3-MoE decoder (spec §1–2), f32 activations over weights used in place:
 * <pre>
 *   h = embed(tokens)
 *   for each layer:  h += Attention(RMSNorm_in(h));  h += FFN(RMSNorm_post(h))
 *   logits = RMSNorm_final(h) · lm_headᵀ        (lm_head = embed_tokens when tied)
 * </pre>
 * The FFN is dense SwiGLU or a sparse MoE per {@link Qwen3Config#isSparseLayer}. Subclasses (Qwen3-VL's
 * text side) hook in after each layer via {@link #afterLayer}.
 */
public class Qwen3Model implements LanguageModel {
    /** One decoder layer's weights. */
    public record Layer(float[] inputNorm, Attention attention, float[] postAttentionNorm, FeedForward ffn) {}

    protected final Qwen3Config config;
    private final TensorStore store;
    private final WeightMatrix embedTokens;
    private final Layer[] layers;
    private final float[] finalNorm;
    private final WeightMatrix lmHead;
    protected final RotaryEmbedding rope;

    private final Attention.Scratch scratch = new Attention.Scratch();
    private float[] h = new float[0], xb = new float[0], delta = new float[0], normed = new float[0];

    /** Loads weights named with the given prefix ("model." for Qwen3, "model.language_model." for VL). */
    public Qwen3Model(Qwen3Config config, TensorStore store, String prefix) {
        this.config = config;
        this.store = store;
        Qwen3Config c = config;
        this.embedTokens = store.matrix(prefix + "embed_tokens.weight", c.vocabSize(), c.hiddenSize());
        this.layers = new Layer[c.numLayers()];
        for (int i = 0; i < c.numLayers(); i++) layers[i] = loadLayer(store, prefix + "layers." + i + ".", i);
        this.finalNorm = store.vector(prefix + "norm.weight", c.hiddenSize());
        // tie_word_embeddings: lm_head is the embedding (and may be absent from the file)
        this.lmHead = c.tieWordEmbeddings() || !store.has("lm_head.weight")
                ? embedTokens
                : store.matrix("lm_head.weight", c.vocabSize(), c.hiddenSize());
        this.rope = new RotaryEmbedding(c.headDim(), c.rope());
    }

    private Layer loadLayer(TensorStore s, String p, int i) {
        Qwen3Config c = config;
        int hd = c.hiddenSize();
        Attention attn = new Attention(i,
                s.matrix(p + "self_attn.q_proj.weight", c.queryDim(), hd),
                s.matrix(p + "self_attn.k_proj.weight", c.kvDim(), hd),
                s.matrix(p + "self_attn.v_proj.weight", c.kvDim(), hd),
                s.matrix(p + "self_attn.o_proj.weight", hd, c.queryDim()),
                s.vector(p + "self_attn.q_norm.weight", c.headDim()),
                s.vector(p + "self_attn.k_norm.weight", c.headDim()),
                c.numHeads(), c.numKvHeads(), c.headDim(), c.rmsNormEps());
        FeedForward ffn;
        if (c.isSparseLayer(i)) {
            ffn = loadSparseFeedForward(s, p, i);
        } else {
            int im = c.intermediateSize();
            ffn = new DenseMlp(s.matrix(p + "mlp.gate_proj.weight", im, hd), s.matrix(p + "mlp.up_proj.weight", im, hd),
                    s.matrix(p + "mlp.down_proj.weight", hd, im));
        }
        return new Layer(s.vector(p + "input_layernorm.weight", hd), attn, s.vector(p + "post_attention_layernorm.weight", hd), ffn);
    }

    /**
     * A sparse layer's MoE block from the per-expert Qwen3-MoE tensors (`mlp.experts.E.{gate,up,down}_proj`).
     * Called from the constructor: overrides may use only their arguments and {@link #config}.
     */
    protected FeedForward loadSparseFeedForward(TensorStore s, String p, int layer) {
        Qwen3Config c = config;
        int hd = c.hiddenSize(), im = c.moeIntermediateSize();
        DenseMlp[] experts = new DenseMlp[c.numExperts()];
        for (int e = 0; e < experts.length; e++) {
            String ep = p + "mlp.experts." + e + ".";
            experts[e] = new DenseMlp(s.matrix(ep + "gate_proj.weight", im, hd), s.matrix(ep + "up_proj.weight", im, hd),
                    s.matrix(ep + "down_proj.weight", hd, im));
        }
        return new SparseMoe(s.matrix(p + "mlp.gate.weight", c.numExperts(), hd), experts, c.numExpertsPerToken(), c.normTopkProb());
    }

    public Qwen3Config config() {
        return config;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int contextLength() {
        return config.maxPositionEmbeddings();
    }

    @Override
    public int hiddenSize() {
        return config.hiddenSize();
    }

    @Override
    public KvBlockPool newKvPool(int blockSize, long budgetBytes, DType dtype) {
        KvBlockPool probe = new KvBlockPool(config.numLayers(), config.kvDim(), blockSize, 1, dtype);
        // a budget beyond 2^31 blocks is as good as none; MAX_VALUE itself means "no budget"
        int blocks = budgetBytes <= 0 ? Integer.MAX_VALUE
                : (int) Math.min(Integer.MAX_VALUE - 1L, Math.max(1, budgetBytes / probe.bytesPerBlock()));
        return new KvBlockPool(config.numLayers(), config.kvDim(), blockSize, blocks, dtype);
    }

    @Override
    public float[] forward(ForwardBatch batch) {
        return forward(batch, null);
    }

    @Override
    public synchronized float[] forward(ForwardBatch batch, float[] reuse) {
        int n = batch.size();
        int hd = config.hiddenSize();
        reserveSlots(batch);
        ensureBuffers(n);
        embed(batch, h);
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            residualNorm(n, false, layer.inputNorm());
            layer.attention().forward(batch, xb, delta, scratch, rope);
            residualNorm(n, true, layer.postAttentionNorm());
            layer.ffn().forward(xb, delta, n);
            Ops.addInPlace(h, 0, delta, 0, n * hd);
            afterLayer(l, batch, h);
        }
        for (int t = 0; t < n; t++) {
            KvCache c = batch.cache(t);
            c.setLength(Math.max(c.length(), batch.cachePosition(t) + 1));
        }
        return logits(batch, h, reuse);
    }

    /** From this many tokens on, the residual adds and norms between the matmuls are split across threads. */
    private static final int PARALLEL_NORM_TOKENS = 64;

    /** h += delta when add is set, then xb = RMSNorm(h) · w, token by token; a prefill's tokens on all threads. */
    private void residualNorm(int n, boolean add, float[] w) {
        int hd = config.hiddenSize();
        float eps = config.rmsNormEps();
        Parallel.RangeTask task = (from, to) -> {
            for (int t = from; t < to; t++) {
                if (add) Ops.addInPlace(h, t * hd, delta, t * hd, hd);
                Ops.rmsnorm(xb, t * hd, h, t * hd, w, hd, eps);
            }
        };
        if (n >= PARALLEL_NORM_TOKENS) Parallel.forRange(n, 1, task);
        else task.run(0, n);
    }

    /** Hook for models that add to the residual stream after a layer (Qwen3-VL DeepStack). */
    protected void afterLayer(int layer, ForwardBatch batch, float[] hidden) {}

    private void reserveSlots(ForwardBatch batch) {
        for (int t = 0; t < batch.size(); t++) {
            int tok = batch.token(t);
            if (!batch.overridesRow(t) && (tok < 0 || tok >= config.vocabSize())) {
                throw new IllegalArgumentException("token id " + tok + " is out of range [0, " + config.vocabSize() + ")");
            }
            KvCache c = batch.cache(t);
            if (!c.reserve(batch.cachePosition(t) + 1)) {
                throw new IllegalStateException("KV cache pool exhausted: reserve blocks before the step");
            }
        }
    }

    private void embed(ForwardBatch batch, float[] out) {
        int hd = config.hiddenSize();
        for (int t = 0; t < batch.size(); t++) {
            if (batch.overridesRow(t)) System.arraycopy(batch.embeddingOverride(), t * hd, out, t * hd, hd);
            else embedTokens.rowInto(batch.token(t), out, t * hd);
        }
    }

    private float[] logits(ForwardBatch batch, float[] hidden, float[] reuse) {
        int hd = config.hiddenSize();
        int rows = batch.logitRows();
        if (normed.length < rows * hd) normed = new float[rows * hd];
        int r = 0;
        for (int t = 0; t < batch.size(); t++) {
            if (!batch.wantsLogits(t)) continue;
            Ops.rmsnorm(normed, r * hd, hidden, t * hd, finalNorm, hd, config.rmsNormEps());
            r++;
        }
        int size = rows * config.vocabSize();
        float[] out = reuse != null && reuse.length >= size ? reuse : new float[size];
        if (rows > 0) lmHead.matmul(normed, 0, out, 0, rows);
        return out;
    }

    private void ensureBuffers(int n) {
        int hd = config.hiddenSize();
        if (h.length < n * hd) {
            h = new float[n * hd];
            xb = new float[n * hd];
            delta = new float[n * hd];
        }
        scratch.ensure(n, config.queryDim(), config.kvDim());
    }

    @Override
    public long interleaveForDecode() {
        var head = lmHead.interleaved();
        long bytes = head == null ? 0 : head.byteSize();
        for (Layer l : layers) bytes += l.attention().interleaveForDecode() + l.ffn().interleaveForDecode();
        return bytes;
    }

    @Override
    public long packWeightsForBatches() {
        long bytes = lmHead.packForBatches();
        for (Layer l : layers) bytes += l.attention().packForBatches() + l.ffn().packForBatches();
        return bytes;
    }

    @Override
    public long weightBytesPerToken() {
        long b = lmHead.decodeBytes();
        for (Layer l : layers) b += l.attention().bytesPerToken() + l.ffn().bytesPerToken();
        return b;
    }

    @Override
    public long flopsPerToken() {
        long f = 2L * lmHead.rows() * lmHead.cols();
        for (Layer l : layers) f += l.attention().flopsPerToken() + l.ffn().flopsPerToken();
        return f;
    }

    @Override
    public void close() {
        store.close();
    }
}
