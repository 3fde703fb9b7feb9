package dev.qwen4j.runtime;

import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvBlockPool;
import dev.qwen4j.model.LanguageModel;
import java.util.concurrent.atomic.AtomicInteger;

/** A model that counts forward passes and the tokens they carried, to compare batched and sequential work. */
final class CountingModel implements LanguageModel {
    private final LanguageModel inner;
    final AtomicInteger forwards = new AtomicInteger();
    final AtomicInteger tokens = new AtomicInteger();
    final AtomicInteger widestBatch = new AtomicInteger();

    CountingModel(LanguageModel inner) {
        this.inner = inner;
    }

    @Override public int vocabSize() { return inner.vocabSize(); }
    @Override public int contextLength() { return inner.contextLength(); }
    @Override public int hiddenSize() { return inner.hiddenSize(); }
    @Override public KvBlockPool newKvPool(int blockSize, long budgetBytes, dev.qwen4j.tensor.DType dtype) { return inner.newKvPool(blockSize, budgetBytes, dtype); }
    @Override public long weightBytesPerToken() { return inner.weightBytesPerToken(); }
    @Override public long flopsPerToken() { return inner.flopsPerToken(); }

    @Override
    public float[] forward(ForwardBatch batch) {
        forwards.incrementAndGet();
        tokens.addAndGet(batch.size());
        widestBatch.accumulateAndGet(batch.size(), Math::max);
        return inner.forward(batch);
    }

    void reset() {
        forwards.set(0);
        tokens.set(0);
        widestBatch.set(0);
    }

    @Override
    public void close() {
        // the shared inner model is closed by its owner
    }
}
