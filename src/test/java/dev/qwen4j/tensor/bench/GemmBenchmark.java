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
 * Prefill-shaped matrix × n vectors: the packed f32-panel kernel ("packed"), the row-streaming one
 * ("rows", what decode uses: bf16 register tiles from 6 vectors; try -p n=16) and the scalar loop. FLOPs
 * per call are 2 · rows · cols · n.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {
    @Param({"BF16"})
    public DType dtype;

    @Param({"1024x1024"})
    public String shape;

    @Param({"64"})
    public int n;

    @Param({"1"})
    public int threads;

    private WeightMatrix w;
    private float[] x, out;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        String[] d = shape.split("x");
        int rows = Integer.parseInt(d[0]), cols = Integer.parseInt(d[1]);
        w = KernelMeasure.matrix(dtype, rows, cols, 1);
        x = KernelMeasure.vector(n * cols, 2);
        out = new float[n * rows];
    }

    @Benchmark
    public float[] packed() {
        BenchAccess.matmulPacked(w, x, out, n);
        return out;
    }

    @Benchmark
    public float[] rows() {
        BenchAccess.matmulRows(w, x, out, n);
        return out;
    }

    @Benchmark
    public float[] scalar() {
        BenchAccess.matmulScalar(w, x, out, n);
        return out;
    }
}
