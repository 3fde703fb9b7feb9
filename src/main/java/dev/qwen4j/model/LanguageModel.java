package dev.qwen4j.model;

/**
 * A decoder that turns a batch of tokens into next-token logits, reading and extending the batch's
 * KV caches. Implementations are not thread-safe: one step runs at a time (the scheduler batches).
 */
public interface LanguageModel extends AutoCloseable {
    /** Logit rows produced per token (the embedding's vocabulary size, incl. padding rows). */
    int vocabSize();

    /** Longest sequence the model accepts (max_position_embeddings). */
    int contextLength();

    int hiddenSize();

    /** A pool for this model's KV caches, stored as F32; budgetBytes ≤ 0 means no budget. */
    default KvBlockPool newKvPool(int blockSize, long budgetBytes) {
        return newKvPool(blockSize, budgetBytes, dev.qwen4j.tensor.DType.F32);
    }

    /** A pool for this model's KV caches stored as dtype (F32 or BF16); budgetBytes ≤ 0 means no budget. */
    KvBlockPool newKvPool(int blockSize, long budgetBytes, dev.qwen4j.tensor.DType dtype);

    /**
     * Runs the step. Reserves cache slots, writes K/V for every token, and returns the logits of the rows
     * that want them, in batch order: [logitRows × vocabSize].
     */
    float[] forward(ForwardBatch batch);

    /**
     * {@link #forward(ForwardBatch)} that may write the logits into {@code reuse} and return it, when it holds
     * at least logitRows × vocabSize floats (entries past those are left as they were). A serving loop passes
     * the previous step's array back, so a step does not allocate (and the GC need not clear) megabytes of
     * logits: 16 rows of a 151,936-token vocabulary are 9.7 MB. The caller must be done with reuse's contents.
     */
    default float[] forward(ForwardBatch batch, float[] reuse) {
        return forward(batch);
    }

    /**
     * Keeps a batch-ordered second copy of the BF16 weight matrices ({@link dev.qwen4j.tensor.WeightMatrix#packForBatches}),
     * so steps of many rows (a serving engine's decode batches) run about 2× faster, with identical results,
     * for as much native memory as those weights take again. Returns the bytes added (0 if nothing to pack).
     */
    default long packWeightsForBatches() {
        return 0;
    }

    /**
     * Makes the interleaved decode copies ({@link dev.qwen4j.tensor.WeightMatrix#interleaved}) of the matrices
     * every decode step uses now rather than during the first one, so a server's first request does not wait for
     * them (MoE experts stay lazy). Returns the bytes of the copies (0 when none apply).
     */
    default long interleaveForDecode() {
        return 0;
    }

    /**
     * Bytes of weights read per decoded token (for bandwidth reports): the interleaved decode copies of 4- and
     * 6-bit matrices once made ({@link dev.qwen4j.tensor.WeightMatrix#decodeBytes}).
     */
    long weightBytesPerToken();

    /** FLOPs per token of a forward pass at short context (for throughput reports). */
    long flopsPerToken();

    @Override
    void close();
}
