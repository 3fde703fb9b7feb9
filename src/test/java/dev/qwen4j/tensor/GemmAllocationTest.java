package dev.qwen4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Once compiled, the prefill GEMM allocates nothing per call. A vector that C2 cannot keep in registers (a helper
 * taking vectors left as a call, an intrinsic that did not apply) is boxed on the Java heap, in the micro-kernels
 * once per k step: prefill then runs at about half speed and fills the young generation (~16 GB/s), which is what a
 * not-inlined output helper did in some runs. The kernels run on the calling thread here (one compute thread), so
 * its allocation counter sees all of their work.
 */
class GemmAllocationTest {
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

    @Test
    void packedPanelsAndBf16PanelsAllocateNothingPerCall() {
        var threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
                "per-thread allocation counters are not available");
        var counter = (com.sun.management.ThreadMXBean) threads;
        Random rnd = new Random(11);
        // 2 K chunks, so the kernels both start and add to output tiles; 16 tokens run k6 and k4, 15 run k6, k2, k1
        int rows = 2 * Gemm.RB, cols = 2 * Gemm.KC_MAX;
        WeightMatrix w = TestWeights.random(rnd, DType.BF16, rows, cols, 0);
        w.packForBatches();
        float[] x = TestWeights.randomArray(rnd, 16 * cols, 1f);
        float[] out = new float[16 * rows];
        MatMulTest.Kernel[] kernels = {MatMul::matmulPacked, MatMul::matmulPanels};
        long tid = Thread.currentThread().threadId();
        for (MatMulTest.Kernel k : kernels) {
            // Rounds until one allocates no more than the call's bookkeeping, for up to 20 s: in a busy JVM (the whole
            // test suite on two cores) C2's queue can hold a kernel back for seconds, and until then it runs on the
            // Vector API's allocating Java fallback; a compiled kernel that boxes never gets there.
            long perCall = Long.MAX_VALUE;
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (perCall >= 256 && System.nanoTime() < deadline) {
                long a0 = counter.getThreadAllocatedBytes(tid);
                for (int i = 0; i < 200; i++) {
                    k.run(w, x, 0, out, 0, 16);
                    k.run(w, x, 0, out, 0, 15);
                }
                perCall = (counter.getThreadAllocatedBytes(tid) - a0) / 400;
            }
            // a boxed vector is 64 B of payload plus headers, per k step: tens of KB per call
            assertThat(perCall).as("bytes allocated per GEMM call").isLessThan(256);
        }
    }
}
