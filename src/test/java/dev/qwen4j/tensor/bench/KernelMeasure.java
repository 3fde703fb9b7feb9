package dev.qwen4j.tensor.bench;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;
import dev.qwen4j.tensor.quant.QuantRows;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Quick throughput numbers without JMH (seconds instead of minutes):
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *      dev.qwen4j.tensor.bench.KernelMeasure [threads]
 * </pre>
 * Prints GFLOP/s for prefill-shaped products and weight GB/s for matrix-vector products. "cold" runs
 * rotate through enough copies of the matrix to exceed the L3 cache, as a real model does (its
 * weights are 1.2 GB); "hot" reuses one copy, which stays in L3 when it fits.
 */
public final class KernelMeasure {
    private KernelMeasure() {}

    static WeightMatrix matrix(DType dtype, int rows, int cols, long seed) {
        if (dtype.isQuantized()) return quantizedMatrix(dtype, rows, cols, seed);
        long bytes = (long) rows * cols * dtype.bytes();
        MemorySegment s = Arena.ofAuto().allocate(bytes + 2, 64).asSlice(2, bytes); // unaligned, as in safetensors
        Random rnd = new Random(seed);
        var i16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        var f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < (long) rows * cols; i++) {
            float v = rnd.nextFloat() * 2 - 1;
            switch (dtype) {
                case F32 -> s.setAtIndex(f32, i, v);
                case BF16 -> s.setAtIndex(i16, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                case F16 -> s.setAtIndex(i16, i, Float.floatToFloat16(v));
            }
        }
        return new WeightMatrix("bench", s, dtype, rows, cols);
    }

    /** Random rows quantized with the reference quantizers (as `qwen4j quantize` writes them). */
    static WeightMatrix quantizedMatrix(DType dtype, int rows, int cols, long seed) {
        long rowBytes = dtype.byteSize(cols);
        MemorySegment s = Arena.ofAuto().allocate(rows * rowBytes + 2, 64).asSlice(2, rows * rowBytes);
        Random rnd = new Random(seed);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) row[c] = rnd.nextFloat() * 2 - 1;
            QuantRows.quantize(dtype, row, 0, cols, s, r * rowBytes);
        }
        return new WeightMatrix("bench", s, dtype, rows, cols);
    }

    static float[] vector(int n, long seed) {
        Random rnd = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextFloat() * 2 - 1;
        return a;
    }

    /** Best seconds per call over several timed batches of at least minSeconds each. */
    static double time(Runnable r, double minSeconds) {
        for (int i = 0; i < 3; i++) r.run(); // warm-up: C2 compiles the Vector API code
        double best = Double.MAX_VALUE;
        for (int batch = 0; batch < 5; batch++) {
            int calls = 0;
            long t0 = System.nanoTime(), t;
            do {
                r.run();
                calls++;
                t = System.nanoTime();
            } while (t - t0 < minSeconds * 1e9);
            best = Math.min(best, (t - t0) / 1e9 / calls);
        }
        return best;
    }

    static void matmul(DType dtype, int rows, int cols, int n, boolean withScalar) {
        WeightMatrix w = matrix(dtype, rows, cols, 1);
        float[] x = vector(n * cols, 2), out = new float[n * rows];
        double flop = 2.0 * rows * cols * n;
        double v = time(() -> w.matmul(x, 0, out, 0, n), 0.3);
        String line = String.format("%-5s matmul %6d x %-5d n=%-4d vector %8.2f ms  %7.1f GFLOP/s", dtype, rows, cols, n, v * 1e3, flop / v / 1e9);
        if (withScalar) {
            double s = time(() -> Bench.scalar(w, x, out, n), 0.3);
            line += String.format("   scalar %9.2f ms  %5.1f GFLOP/s   speedup %.1fx", s * 1e3, flop / s / 1e9, s / v);
        }
        System.out.println(line);
    }

    static void matvec(DType dtype, int rows, int cols, boolean withScalar) {
        long bytes = dtype.byteSize((long) rows * cols);
        int copies = (int) Math.max(1, Math.min(64, (256L << 20) / bytes)); // ≥ 256 MB in rotation
        WeightMatrix[] ws = new WeightMatrix[copies];
        for (int i = 0; i < copies; i++) ws[i] = matrix(dtype, rows, cols, 10 + i);
        float[] x = vector(cols, 3), out = new float[rows];
        int[] next = {0};
        double cold = time(() -> {
            ws[next[0]].matvec(x, out);
            next[0] = (next[0] + 1) % copies;
        }, 0.3);
        double hot = time(() -> ws[0].matvec(x, out), 0.3);
        String line = String.format("%-5s matvec %6d x %-5d cold %8.1f us %6.1f GB/s   hot %8.1f us %6.1f GB/s", dtype, rows, cols,
                cold * 1e6, bytes / cold / 1e9, hot * 1e6, bytes / hot / 1e9);
        if (withScalar) {
            double s = time(() -> Bench.scalar(ws[0], x, out, 1), 0.3);
            line += String.format("   scalar(hot) %8.1f us %5.2f GB/s  speedup(hot) %.1fx", s * 1e6, bytes / s / 1e9, s / hot);
        }
        System.out.println(line);
    }

    /**
     * Decode throughput for one shape, matrices streamed from DRAM (copies rotating past L3): GB/s of the
     * matrix's own bytes (its decode copy, where it has one) and billions of weights per second. Prints the
     * best of {@code rounds} rounds, each the best of {@link #time}'s batches.
     */
    static void decodeShape(DType dtype, int rows, int cols, int rounds) {
        decodeShape(dtype, rows, cols, 1, rounds);
    }

    /** {@link #decodeShape} for n vectors at once (a decode step of n sequences); Gweights/s counts each weight once. */
    static void decodeShape(DType dtype, int rows, int cols, int n, int rounds) {
        long weights = (long) rows * cols;
        WeightMatrix first = matrix(dtype, rows, cols, 10);
        float[] x = vector(n * cols, 3), out = new float[n * rows];
        first.matmul(x, 0, out, 0, n); // makes the decode copy, where the dtype has one
        long bytes = first.decodeBytes();
        int copies = (int) Math.max(2, Math.min(64, (512L << 20) / bytes));
        WeightMatrix[] ws = new WeightMatrix[copies];
        ws[0] = first;
        for (int i = 1; i < copies; i++) ws[i] = matrix(dtype, rows, cols, 10 + i);
        int[] next = {0};
        double best = Double.MAX_VALUE;
        for (int round = 0; round < rounds; round++) {
            best = Math.min(best, time(() -> {
                ws[next[0]].matmul(x, 0, out, 0, n);
                next[0] = (next[0] + 1) % copies;
            }, 0.2));
        }
        System.out.printf("%-7s %6d x %-6d n=%d decode %8.1f us  %6.1f GB/s  %6.1f Gweights/s  (%d copies, %.0f MB)%n", dtype, rows, cols, n,
                best * 1e6, bytes / best / 1e9, weights / best / 1e9, copies, copies * bytes / 1e6);
    }

    /**
     * {@code KernelMeasure THREADS TYPE:ROWSxCOLS[:N] ...} measures decode per shape ({@link #decodeShape}) for N
     * vectors (default 1), e.g. {@code 2 q4_k:2560x9728 q8_0:2560x9728:3 bf16:9728x2560}; without shapes, the
     * fixed set below.
     */
    public static void main(String[] args) {
        if (args.length > 1 && args[1].contains(":")) {
            Parallel.setThreads(Integer.parseInt(args[0]));
            int rounds = Integer.getInteger("rounds", 3);
            for (int i = 1; i < args.length; i++) {
                String[] typeShape = args[i].split(":"), shape = typeShape[1].split("x");
                decodeShape(DType.valueOf(typeShape[0].toUpperCase(java.util.Locale.ROOT)), Integer.parseInt(shape[0]),
                        Integer.parseInt(shape[1]), typeShape.length > 2 ? Integer.parseInt(typeShape[2]) : 1, rounds);
            }
            return;
        }
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        boolean scalar = args.length <= 1 || !args[1].equals("noscalar");
        Parallel.setThreads(threads);
        System.out.println("threads=" + Parallel.threads() + " lanes=" + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length());
        matvec(DType.BF16, 1024, 1024, scalar);
        matvec(DType.BF16, 3072, 1024, scalar);
        matvec(DType.BF16, 1024, 3072, false);
        matvec(DType.BF16, 151936, 1024, false);
        matvec(DType.F16, 3072, 1024, false);
        matvec(DType.F32, 3072, 1024, false);
        matmul(DType.BF16, 1024, 3072, 512, scalar);
        matmul(DType.BF16, 3072, 1024, 512, false);
        matmul(DType.BF16, 1024, 1024, 64, scalar);
        matmul(DType.BF16, 3072, 1024, 64, false);
        matmul(DType.F16, 3072, 1024, 512, false);
        matmul(DType.F32, 3072, 1024, 512, false);
        for (int n : new int[] {2, 4, 6, 8, 12, 16, 32}) matmul(DType.BF16, 3072, 1024, n, false);
    }
}
