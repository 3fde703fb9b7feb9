package dev.qwen4j.runtime;

import dev.qwen4j.tensor.DType;

/**
 * How the {@link Engine} batches and how much memory it may use.
 *
 * @param blockSize         token slots per KV block (vLLM's default is 16)
 * @param kvBudgetBytes     bytes of KV cache for all sequences together; new requests wait while it is spent
 * @param maxModelLen       longest sequence (prompt + output) accepted; capped at the model's context length
 * @param maxBatchTokens    tokens per forward step (decode tokens plus prefill chunks): bounds step latency
 * @param maxRunning        sequences in the running batch at once
 * @param maxWaiting        requests allowed to wait for admission; more are refused (HTTP 429)
 * @param prefixCaching     share full KV blocks between requests with the same prefix (e.g. a system prompt)
 * @param kvCacheType       F32 (exact) or BF16 (half the memory and attention traffic)
 */
public record EngineConfig(int blockSize, long kvBudgetBytes, int maxModelLen, int maxBatchTokens, int maxRunning,
                           int maxWaiting, boolean prefixCaching, DType kvCacheType) {
    /** An F32 KV cache. */
    public EngineConfig(int blockSize, long kvBudgetBytes, int maxModelLen, int maxBatchTokens, int maxRunning,
                        int maxWaiting, boolean prefixCaching) {
        this(blockSize, kvBudgetBytes, maxModelLen, maxBatchTokens, maxRunning, maxWaiting, prefixCaching, DType.F32);
    }

    public EngineConfig {
        if (kvCacheType != DType.F32 && kvCacheType != DType.BF16) throw new IllegalArgumentException("the KV cache dtype must be f32 or bf16 but was " + kvCacheType);
        if (blockSize < 1) throw new IllegalArgumentException("blockSize must be >= 1 but was " + blockSize);
        if (kvBudgetBytes < 1) throw new IllegalArgumentException("kvBudgetBytes must be >= 1 but was " + kvBudgetBytes);
        if (maxModelLen < 2) throw new IllegalArgumentException("maxModelLen must be >= 2 but was " + maxModelLen);
        if (maxBatchTokens < 1) throw new IllegalArgumentException("maxBatchTokens must be >= 1 but was " + maxBatchTokens);
        if (maxRunning < 1) throw new IllegalArgumentException("maxRunning must be >= 1 but was " + maxRunning);
        if (maxWaiting < 0) throw new IllegalArgumentException("maxWaiting must be >= 0 but was " + maxWaiting);
    }

    /** 16-token blocks, 2 GiB of KV, 256 tokens per step, 32 running, 256 waiting, prefix caching on. */
    public static EngineConfig defaults() {
        return new EngineConfig(16, 2L << 30, Integer.MAX_VALUE, 256, 32, 256, true);
    }

    public EngineConfig withKvBudgetBytes(long bytes) {
        return new EngineConfig(blockSize, bytes, maxModelLen, maxBatchTokens, maxRunning, maxWaiting, prefixCaching, kvCacheType);
    }

    public EngineConfig withMaxModelLen(int tokens) {
        return new EngineConfig(blockSize, kvBudgetBytes, tokens, maxBatchTokens, maxRunning, maxWaiting, prefixCaching, kvCacheType);
    }

    public EngineConfig withMaxBatchTokens(int tokens) {
        return new EngineConfig(blockSize, kvBudgetBytes, maxModelLen, tokens, maxRunning, maxWaiting, prefixCaching, kvCacheType);
    }

    public EngineConfig withMaxRunning(int n) {
        return new EngineConfig(blockSize, kvBudgetBytes, maxModelLen, maxBatchTokens, n, maxWaiting, prefixCaching, kvCacheType);
    }

    public EngineConfig withMaxWaiting(int n) {
        return new EngineConfig(blockSize, kvBudgetBytes, maxModelLen, maxBatchTokens, maxRunning, n, prefixCaching, kvCacheType);
    }

    public EngineConfig withBlockSize(int size) {
        return new EngineConfig(size, kvBudgetBytes, maxModelLen, maxBatchTokens, maxRunning, maxWaiting, prefixCaching, kvCacheType);
    }

    public EngineConfig withPrefixCaching(boolean on) {
        return new EngineConfig(blockSize, kvBudgetBytes, maxModelLen, maxBatchTokens, maxRunning, maxWaiting, on, kvCacheType);
    }

    public EngineConfig withKvCacheType(DType type) {
        return new EngineConfig(blockSize, kvBudgetBytes, maxModelLen, maxBatchTokens, maxRunning, maxWaiting, prefixCaching, type);
    }
}
