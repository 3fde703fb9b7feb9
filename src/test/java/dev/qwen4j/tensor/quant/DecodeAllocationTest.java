package dev.qwen4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Once compiled, a decode product (one or two activation vectors) allocates at most a few small objects per call,
 * never per block: a vector the compiled kernel could not keep in registers is boxed on the heap once per step of
 * its loop, tens of KB per call here, and decode then runs well below memory bandwidth. The kernels run on the
 * calling thread (one compute thread), so its allocation counter sees all of their work.
 */
class DecodeAllocationTest {
    private int savedThreads;

    @BeforeEach
    void oneThread() {
        savedThreads = Parallel.threads();
        Parallel.setThreads(1);
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K", "Q5_K", "Q3_K"})
    void decodeProductsAllocateNothingPerBlock(DType t) {
        var threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean b && b.isThreadAllocatedMemorySupported(),
                "per-thread allocation counters are not available");
        var counter = (com.sun.management.ThreadMXBean) threads;
        Random rnd = new Random(t.ordinal() + 5);
        int rows = 64, cols = 1024;
        WeightMatrix w = t == DType.BF16 ? randomBf16(rnd, rows, cols) : QuantKernelsTest.randomMatrix(rnd, t, rows, cols);
        w.interleaved(); // the decode copy, where the type has one
        float[] x = QuantKernelsTest.randomVector(rnd, 2 * cols);
        float[] out = new float[2 * rows];
        for (int i = 0; i < 6000; i++) { // until C2 has compiled the kernels
            w.matmul(x, 0, out, 0, 1);
            w.matmul(x, 0, out, 0, 2);
        }
        long tid = Thread.currentThread().threadId();
        long perCall = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3; attempt++) {
            long a0 = counter.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 100; i++) {
                w.matmul(x, 0, out, 0, 1);
                w.matmul(x, 0, out, 0, 2);
            }
            perCall = Math.min(perCall, (counter.getThreadAllocatedBytes(tid) - a0) / 200);
        }
        // the call's own bookkeeping (a task, per-matrix arrays) is a few hundred bytes; one boxed vector per 32-value
        // block of a 64 × 1024 matrix would be over 100 KB
        assertThat(perCall).as("%s: bytes allocated per decode product", t).isLessThan(1024);
    }

    private static WeightMatrix randomBf16(Random rnd, int rows, int cols) {
        MemorySegment data = Arena.ofAuto().allocate(2L * rows * cols, 64);
        for (long i = 0; i < (long) rows * cols; i++) {
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16));
        }
        return new WeightMatrix("w", data, DType.BF16, rows, cols);
    }
}
