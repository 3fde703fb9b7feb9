package dev.qwen4j.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Once compiled, a decode product (one or two activation vectors) allocates at most a few small objects per call,
 * never per block: a vector the compiled kernel could not keep in registers is boxed on the heap once per step of
 * its loop, tens of KB per call here, and decode then runs well below memory bandwidth.
 *
 * <p>Each type runs in two fresh JVMs: one with the default flags, as in a process serving one model, and one that
 * compiles without type profiles and without tiered compilation ({@link #NO_PROFILES}). What C2 makes of a kernel
 * depends on the profiles it finds: in a JVM that had run many other kernels (this test suite's), kernels were
 * seen boxing for the rest of the run (2.7–200 KB per call). The second JVM makes those cases deterministic: a
 * helper taking or returning vectors that C2 had compiled on its own is not inlined ("already compiled into a big
 * method"), and vector sums that a branch chooses between, or that pass through a chain of loop phis, are boxed
 * unless a profile vouches for their class. One compute thread, so the calling thread's allocation counter sees all
 * of the work.
 */
class DecodeAllocationTest {
    static final DType[] TYPES = {DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K, DType.Q5_K, DType.Q3_K, DType.Q5_0};
    /** Flags under which C2 compiles from interpreter profiles, and without type speculation. */
    static final List<String> NO_PROFILES = List.of("-XX:-TieredCompilation", "-XX:-UseTypeSpeculation");
    /** The call's own bookkeeping (a task, per-matrix arrays) is a few hundred bytes. */
    static final long LIMIT = 1024;

    @Test
    void decodeProductsAllocateNothingPerBlock() throws IOException, InterruptedException {
        Map<String, Long> perCall = new TreeMap<>();
        for (DType t : TYPES) {
            perCall.put(t.name(), measureInFreshJvm(t, List.of()));
            perCall.put(t.name() + " without profiles", measureInFreshJvm(t, NO_PROFILES));
        }
        perCall.forEach((t, bytes) -> assertThat(bytes).as("%s: bytes allocated per decode product", t).isLessThan(LIMIT));
    }

    private static long measureInFreshJvm(DType t, List<String> flags) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xmx1g"));
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DecodeAllocationTest.class.getName(), t.name()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("child JVM finished").isTrue();
        assertThat(p.exitValue()).as("child JVM exit status; output:%n%s", output).isZero();
        for (String line : output.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 3 && f[0].equals("bytes-per-call") && f[1].equals(t.name())) return Long.parseLong(f[2]);
        }
        throw new AssertionError("no measurement for " + t + " in the child's output:\n" + output);
    }

    /**
     * The child JVM: "bytes-per-call TYPE N" for each type named by the arguments, in turn (several reproduce the
     * history-dependent boxing described above).
     */
    public static void main(String[] args) {
        var counter = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Parallel.setThreads(1);
        for (String name : args) {
            DType t = DType.valueOf(name);
            System.out.println("bytes-per-call " + t + " " + bytesPerCall(t, counter));
        }
    }

    private static long bytesPerCall(DType t, com.sun.management.ThreadMXBean counter) {
        Random rnd = new Random(t.ordinal() + 5);
        int rows = 64, cols = 1024;
        WeightMatrix w = t == DType.BF16 ? randomBf16(rnd, rows, cols) : QuantKernelsTest.randomMatrix(rnd, t, rows, cols);
        w.interleaved(); // the decode copy, where the type has one
        float[] x = QuantKernelsTest.randomVector(rnd, 2 * cols);
        float[] out = new float[2 * rows];
        // one vector until compiled, then two (a decode, then a batch of two): after the first, the two-vector kernel
        // compiles in a JVM whose profiles already hold the first's types, which is when some kernels boxed
        return Math.max(settledBytesPerCall(w, x, out, 1, counter), settledBytesPerCall(w, x, out, 2, counter));
    }

    /**
     * Bytes allocated per product of n vectors, in rounds until one allocates no more than the call's bookkeeping,
     * for up to 20 s: until C2 has compiled a kernel it runs on the Vector API's allocating Java fallback; a compiled
     * kernel that boxes never gets there.
     */
    private static long settledBytesPerCall(WeightMatrix w, float[] x, float[] out, int n, com.sun.management.ThreadMXBean counter) {
        long tid = Thread.currentThread().threadId();
        long perCall = Long.MAX_VALUE;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (perCall >= LIMIT && System.nanoTime() < deadline) {
            long a0 = counter.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 1000; i++) w.matmul(x, 0, out, 0, n);
            perCall = (counter.getThreadAllocatedBytes(tid) - a0) / 1000;
        }
        return perCall;
    }

    private static WeightMatrix randomBf16(Random rnd, int rows, int cols) {
        MemorySegment data = Arena.ofAuto().allocate(2L * rows * cols, 64);
        for (long i = 0; i < (long) rows * cols; i++) {
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16));
        }
        return new WeightMatrix("w", data, DType.BF16, rows, cols);
    }
}
