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
import java.nio.file.Files;
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
    /**
     * Row widths: 1024 values fill whole groups of blocks; 1280 leave half a group, which row pairs share (the
     * interleaved kernels' pair paths, which Qwen3-4B's 2560-wide rows take).
     */
    static final int[] WIDTHS = {1024, 1280};
    /** The call's own bookkeeping (a task, per-matrix arrays) is a few hundred bytes. */
    static final long LIMIT = 1024;

    @Test
    void decodeProductsAllocateNothingPerBlock() throws IOException, InterruptedException {
        Map<String, Long> perCall = new TreeMap<>();
        for (DType t : TYPES) {
            measureInFreshJvm(t, List.of(), "", perCall);
            measureInFreshJvm(t, NO_PROFILES, " without profiles", perCall);
        }
        assertThat(perCall).as("measurements").hasSize(TYPES.length * 2 * WIDTHS.length * 2);
        perCall.forEach((what, bytes) -> assertThat(bytes).as("%s: bytes allocated per decode product", what).isLessThan(LIMIT));
    }

    /** Runs {@link #main} for t in a fresh JVM with flags and adds its measurements, labelled, to perCall. */
    private static void measureInFreshJvm(DType t, List<String> flags, String label, Map<String, Long> perCall)
            throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xmx1g"));
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DecodeAllocationTest.class.getName(), t.name()));
        Path log = Files.createTempFile("decode-allocation-" + t, ".log");
        try {
            // output to a file, so a child that hangs cannot block the read and the timeout below applies
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean finished = p.waitFor(3, TimeUnit.MINUTES);
            if (!finished) p.destroyForcibly().waitFor();
            String output = Files.readString(log);
            assertThat(finished).as("child JVM for %s%s finished within 3 minutes; output:%n%s", t, label, output).isTrue();
            assertThat(p.exitValue()).as("child JVM exit status; output:%n%s", output).isZero();
            for (String line : output.split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length == 5 && f[0].equals("bytes-per-call") && f[1].equals(t.name())) {
                    perCall.put(t + " " + f[2] + " " + f[3] + label, Long.parseLong(f[4]));
                }
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * The child JVM: "bytes-per-call TYPE ROWSxCOLS n=N BYTES" for each type named by the arguments, each width of
     * {@link #WIDTHS}, one vector until compiled and then two (a decode, then a batch of two: the two-vector kernel
     * then compiles in a JVM whose profiles already hold the first's types, which is when some kernels boxed).
     */
    public static void main(String[] args) {
        var counter = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Parallel.setThreads(1);
        for (String name : args) {
            DType t = DType.valueOf(name);
            for (int cols : WIDTHS) {
                Random rnd = new Random(t.ordinal() + 5);
                int rows = 64;
                WeightMatrix w = t == DType.BF16 ? randomBf16(rnd, rows, cols) : QuantKernelsTest.randomMatrix(rnd, t, rows, cols);
                w.interleaved(); // the decode copy, where the type has one
                float[] x = QuantKernelsTest.randomVector(rnd, 2 * cols);
                float[] out = new float[2 * rows];
                for (int n = 1; n <= 2; n++) {
                    System.out.printf("bytes-per-call %s %dx%d n=%d %d%n", t, rows, cols, n, settledBytesPerCall(w, x, out, n, counter));
                }
            }
        }
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
