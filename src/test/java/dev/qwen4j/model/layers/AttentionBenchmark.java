package dev.qwen4j.model.layers;

import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvBlockPool;
import dev.qwen4j.model.KvCache;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One layer of causal attention for a prefill of n tokens with Qwen3-0.6B's heads (16 query, 8 KV,
 * 128 dims) on one thread: query tiles ("tiled", what prefill runs), the per-token kernel
 * ("perToken", what decode runs) and the scalar f64 loop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AttentionBenchmark {
    private static final int HEADS = 16, KV_HEADS = 8, DIM = 128;

    @Param({"256"})
    public int n;

    private ForwardBatch batch;
    private float[] q, out, scores;
    private final float scale = (float) (1 / Math.sqrt(DIM));

    @Setup
    public void setup() {
        int kvDim = KV_HEADS * DIM;
        KvCache c = new KvCache(new KvBlockPool(1, kvDim, 64, Integer.MAX_VALUE), 1 << 16);
        c.reserve(n);
        Random rnd = new Random(1);
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < kvDim; i++) {
                c.keys(0, p)[c.slotOffset(p) + i] = rnd.nextFloat() * 2 - 1;
                c.values(0, p)[c.slotOffset(p) + i] = rnd.nextFloat() * 2 - 1;
            }
        }
        c.setLength(n);
        batch = new ForwardBatch();
        for (int p = 0; p < n; p++) batch.add(c, 0, p, false);
        q = new float[n * HEADS * DIM];
        for (int i = 0; i < q.length; i++) q[i] = rnd.nextFloat() * 2 - 1;
        out = new float[q.length];
        scores = new float[2 * n];
    }

    @Benchmark
    public float[] tiled() {
        QueryTileAttention.run(batch, 0, q, out, HEADS, KV_HEADS, DIM, scale, QueryTileAttention.newPass(), 0, KV_HEADS * QueryTileAttention.tiles(n, 2));
        return out;
    }

    @Benchmark
    public float[] perToken() {
        CachedAttention.run(batch, 0, q, out, HEADS, KV_HEADS, DIM, scale, 0, n * KV_HEADS, scores);
        return out;
    }

    @Benchmark
    public double[] scalar() {
        return ScalarAttention.run(batch, 0, q, HEADS, KV_HEADS, DIM, scale);
    }
}
