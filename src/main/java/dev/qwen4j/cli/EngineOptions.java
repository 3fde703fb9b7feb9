package dev.qwen4j.cli;

import dev.qwen4j.model.LanguageModel;
import dev.qwen4j.runtime.EngineConfig;
import dev.qwen4j.tensor.DType;
import picocli.CommandLine.Option;

/** Continuous-batching settings shared by `serve` and `bench-serve`. */
public final class EngineOptions {
    @Option(names = "--kv-cache-mib", paramLabel = "MIB",
            description = "KV cache budget for all requests together, in MiB, allocated at start (default: 2048, or half "
                    + "the Java heap left after loading when that is less).")
    Long kvCacheMib;

    /** The budget when --kv-cache-mib is not given, unless the heap has less to spare. */
    static final long DEFAULT_KV_CACHE_MIB = 2048;

    /**
     * The KV budget in MiB: as given, or the default capped at half the heap left now (after the model
     * has loaded), so that a default `serve` starts on a machine whose heap is small instead of failing
     * its up-front allocation.
     */
    public long kvCacheMib() {
        if (kvCacheMib != null) return kvCacheMib;
        Runtime rt = Runtime.getRuntime();
        long spareMib = (rt.maxMemory() - (rt.totalMemory() - rt.freeMemory())) >> 20;
        return Math.max(16, Math.min(DEFAULT_KV_CACHE_MIB, spareMib / 2));
    }

    @Option(names = "--kv-cache-dtype", defaultValue = "f32", paramLabel = "TYPE", converter = KvCacheTypeConverter.class,
            description = "KV cache element type: f32 (exact) or bf16 (twice the tokens in the same budget, half the "
                    + "bytes attention reads; logits move by bf16 rounding) (default ${DEFAULT-VALUE}).")
    DType kvCacheType;

    @Option(names = "--max-model-len", paramLabel = "N", description = "Longest prompt + output accepted (default: the model's context).")
    Integer maxModelLen;

    @Option(names = "--max-batch-tokens", paramLabel = "N", defaultValue = "256",
            description = "Tokens per forward step: decode tokens plus prefill chunks (default ${DEFAULT-VALUE}).")
    int maxBatchTokens;

    @Option(names = "--max-running", paramLabel = "N", defaultValue = "32", description = "Sequences batched at once (default ${DEFAULT-VALUE}).")
    int maxRunning;

    @Option(names = "--max-waiting", paramLabel = "N", defaultValue = "256",
            description = "Requests that may wait for a slot; more get 429 (default ${DEFAULT-VALUE}).")
    int maxWaiting;

    @Option(names = "--block-size", paramLabel = "N", defaultValue = "16", description = "Tokens per KV block (default ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(names = "--no-prefix-caching", description = "Do not share KV blocks between requests with a common prefix.")
    boolean noPrefixCaching;

    @Option(names = "--pack-weights", description = "Keep a second, batch-ordered copy of the BF16 weights for batched "
            + "steps (8+ running requests): their products ~1.5x faster in isolation, same results up to float rounding, "
            + "for as much memory again as the weights.")
    boolean packWeights;

    /** Applies the options that act on the model itself (before the engine starts). */
    public void prepare(LanguageModel model) {
        interleave(model);
        if (!packWeights) return;
        long t0 = System.nanoTime();
        long bytes = model.packWeightsForBatches();
        System.err.printf("packed %.0f MiB of weights for batched steps in %.1f s%n", bytes / 1048576.0, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Makes the model's decode copies now rather than on its first decode step, and says how long that took (on
     * stderr): serving starts with them made, and `run --stats` reports prompt and generation speeds without them.
     */
    static void interleave(LanguageModel model) {
        long t = System.nanoTime();
        long copies = model.interleaveForDecode();
        if (copies > 0) {
            System.err.printf("interleaved %.0f MiB of 4- to 6-bit weights for decode in %.1f s%n", copies / 1048576.0, (System.nanoTime() - t) / 1e9);
        }
    }

    /** Applies the options that act on the running engine: its KV budget is allocated up front. */
    public void start(dev.qwen4j.runtime.Engine e) {
        long t0 = System.nanoTime();
        long bytes;
        try {
            bytes = e.preallocateKv();
        } catch (IllegalStateException ex) {
            throw new UsageError(ex.getMessage());
        }
        System.err.printf("allocated %.0f MiB of KV cache in %.1f s%n", bytes / 1048576.0, (System.nanoTime() - t0) / 1e9);
    }

    public EngineConfig config() {
        try {
            return new EngineConfig(blockSize, kvCacheMib() << 20, maxModelLen != null ? maxModelLen : Integer.MAX_VALUE,
                    maxBatchTokens, maxRunning, maxWaiting, !noPrefixCaching, kvCacheType);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }
}
