package dev.qwen4j.tensor.bench;

import dev.qwen4j.tensor.BenchAccess;
import dev.qwen4j.tensor.Ops;
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
 * The element-wise activation kernels against their scalar twins (ScalarOps) on one thread:
 * softmax over an attention row, RMSNorm of a hidden vector, SwiGLU over an MLP activation.
 * Method names are kernel_variant so {@link JmhRatios} can pair them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class OpsBenchmark {
    @Param({"1024"})
    public int size;

    private float[] a, b, w, out;

    @Setup
    public void setup() {
        a = KernelMeasure.vector(size, 1);
        b = KernelMeasure.vector(size, 2);
        w = KernelMeasure.vector(size, 3);
        out = new float[size];
    }

    @Benchmark
    public float[] softmax_vector() {
        System.arraycopy(b, 0, a, 0, size); // softmax is in place: restore the input each call
        Ops.softmax(a, 0, size);
        return a;
    }

    @Benchmark
    public float[] softmax_scalar() {
        System.arraycopy(b, 0, a, 0, size);
        BenchAccess.scalarSoftmax(a, 0, size);
        return a;
    }

    @Benchmark
    public float[] rmsnorm_vector() {
        Ops.rmsnorm(out, 0, b, 0, w, size, 1e-6f);
        return out;
    }

    @Benchmark
    public float[] rmsnorm_scalar() {
        BenchAccess.scalarRmsnorm(out, b, w, size);
        return out;
    }

    @Benchmark
    public float[] siluMul_vector() {
        System.arraycopy(b, 0, a, 0, size);
        Ops.siluMul(a, 0, w, 0, size);
        return a;
    }

    @Benchmark
    public float[] siluMul_scalar() {
        System.arraycopy(b, 0, a, 0, size);
        BenchAccess.scalarSiluMul(a, w, size);
        return a;
    }
}
