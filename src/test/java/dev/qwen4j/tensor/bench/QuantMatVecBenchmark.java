package dev.qwen4j.tensor.bench;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;
import dev.qwen4j.tensor.quant.QuantBenchAccess;
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
 * Decode-shaped block-quantized matrix × one vector, the weights streamed from DRAM as in a model (copies
 * rotate past the L3 cache). "perRow" is the one-row-per-call fused dot, "scalar" the reference loop,
 * "dispatch" what the model runs (interleaved copies with 8-bit activations for Q4_0, Q4_K, Q5_0, Q5_K, Q6_K),
 * "blockRows" the row-range kernels over the original blocks with f32 activations. Bytes per call
 * of the blocks are rows · dtype.byteSize(cols) (the interleaved copies: 4.75–9 bits a weight). Run with JmhRatios for the ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class QuantMatVecBenchmark {
    @Param({"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    public DType dtype;

    @Param({"1024x3072", "3072x1024"})
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
        long bytes = rows * dtype.byteSize(cols);
        int n = (int) Math.max(2, (256L << 20) / bytes);
        copies = new WeightMatrix[n];
        for (int i = 0; i < n; i++) copies[i] = KernelMeasure.quantizedMatrix(dtype, rows, cols, 10 + i);
        // the interleaved decode copies are made on first use: make them now, outside the measurement
        for (WeightMatrix w : copies) w.interleaved();
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

    /** The block-format row kernels with f32 activations: what "dispatch" ran before the interleaved copies. */
    @Benchmark
    public float[] blockRows() {
        QuantBenchAccess.blockRows(nextMatrix(), x, out);
        return out;
    }

    @Benchmark
    public float[] perRow() {
        QuantBenchAccess.perRowDot(nextMatrix(), x, out);
        return out;
    }

    @Benchmark
    public float[] scalar() {
        QuantBenchAccess.scalar(nextMatrix(), x, out);
        return out;
    }
}
