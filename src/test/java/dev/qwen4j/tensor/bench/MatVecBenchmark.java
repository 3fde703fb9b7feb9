package dev.qwen4j.tensor.bench;

import dev.qwen4j.tensor.BenchAccess;
import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode-shaped matrix × one vector, weights streamed from DRAM: each call takes the next of enough
 * copies of the matrix to exceed the L3 cache, as a model's 1.2 GB of weights do. "dispatch" is what
 * the model runs (the paired kernel for bf16), "plain" the per-vector widening kernel, "scalar" the
 * reference loop. Bytes per call are rows · cols · dtype size, so GB/s = that / score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatVecBenchmark {
    @Param({"BF16"})
    public DType dtype;

    @Param({"3072x1024", "1024x3072"})
    public String shape;

    @Param({"1"})
    public int threads;

    private WeightMatrix[] copies;
    private float[] x, out;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        String[] d = shape.split("x");
        int rows = Integer.parseInt(d[0]), cols = Integer.parseInt(d[1]);
        long bytes = (long) rows * cols * dtype.bytes();
        int n = (int) Math.max(2, (256L << 20) / bytes);
        copies = new WeightMatrix[n];
        for (int i = 0; i < n; i++) copies[i] = KernelMeasure.matrix(dtype, rows, cols, 10 + i);
        x = KernelMeasure.vector(cols, 3);
        out = new float[rows];
    }

    private WeightMatrix nextMatrix() {
        WeightMatrix w = copies[next];
        next = (next + 1) % copies.length;
        return w;
    }

    @Benchmark
    public float[] dispatch() {
        nextMatrix().matvec(x, out);
        return out;
    }

    @Benchmark
    public float[] plain() {
        BenchAccess.matmulPlainRows(nextMatrix(), x, out, 1);
        return out;
    }

    @Benchmark
    public float[] scalar() {
        BenchAccess.matmulScalar(nextMatrix(), x, out, 1);
        return out;
    }
}
