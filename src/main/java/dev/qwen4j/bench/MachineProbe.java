package dev.qwen4j.bench;

import dev.qwen4j.tensor.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures what this machine can do on the compute threads, so benchmark results can be reported as
 * fractions of it: read bandwidth (vector sum over a buffer far larger than the caches) and peak f32
 * FMA rate (independent FMA chains in registers).
 */
public final class MachineProbe {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static volatile float sink;

    private MachineProbe() {}

    /**
     * Best-of-reps read bandwidth in bytes/s over a buffer of the given size (use one far larger than
     * the last-level cache), read by all compute threads at once.
     *
     * <p>Each thread streams one contiguous slice front to back: on Zen 4 (2 cores) that reached
     * 45–47 GB/s, while splitting each thread's share into several interleaved streams measured
     * 28–40 GB/s, and the earlier 8-slices-per-thread probe reported about 31 GB/s, below what
     * llama.cpp's decode demonstrably reads (33 GB/s). The buffer is touched before timing, so page
     * faults are not counted; the first two passes are warm-up (JIT, TLB) and never count.
     */
    public static double readBandwidth(long bytes, int reps) {
        try (Arena arena = Arena.ofShared()) {
            long step = 2L * S.vectorByteSize();
            long size = bytes / step * step;
            MemorySegment seg = arena.allocate(size, 4096);
            seg.fill((byte) 1);
            int threads = Parallel.threads();
            float[] partial = new float[threads];
            double best = 0;
            for (int r = 0; r < reps + 2; r++) {
                long t0 = System.nanoTime();
                Parallel.forRange(threads, 1, (from, to) -> {
                    for (int c = from; c < to; c++) {
                        long lo = size / step * c / threads * step;
                        long hi = size / step * (c + 1) / threads * step;
                        float sum = 0;
                        for (long i = lo; i < hi; i += PIECE) sum += streamSum(seg, i, Math.min(hi, i + PIECE));
                        partial[c] = sum;
                    }
                });
                long t = System.nanoTime() - t0;
                float s = 0;
                for (float p : partial) s += p;
                sink = s;
                if (r >= 2) best = Math.max(best, size * 1e9 / t);
            }
            return best;
        }
    }

    /**
     * Bytes per {@link #streamSum} call (a multiple of any vector pair). Called once per slice, the method ran as an
     * on-stack-replacement compile whose vector adds fell back to the Vector API's Java code: ~3 GB allocated per
     * bench, and the young collections it caused paused the timed runs for 0.1–0.3 s. Many short calls get it compiled
     * whole.
     */
    private static final long PIECE = 1L << 20;

    /** Sum of the floats in [lo, hi) bytes, two vectors (128 B with AVX-512) per step. */
    private static float streamSum(MemorySegment seg, long lo, long hi) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0;
        long v = S.vectorByteSize();
        for (long i = lo; i < hi; i += 2 * v) {
            a0 = a0.add(FloatVector.fromMemorySegment(S, seg, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(S, seg, i + v, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * Loop iterations per {@link #fmaChains} call, for the reason given at {@link #PIECE}: run as one long call per
     * thread, the probe sometimes measured an on-stack-replacement compile on the Java fallback, 4 GFLOP/s instead of
     * ~225, and every prefill then read as thousands of percent of the peak.
     */
    private static final long FMA_PIECE = 1 << 14;

    /** Best-of-reps f32 FMA throughput in FLOP/s (one FMA = 2 FLOPs) on all compute threads. */
    public static double fmaRate(int reps) {
        final long iters = 20_000_000L / S.length() / FMA_PIECE * FMA_PIECE;
        double best = 0;
        int threads = Parallel.threads();
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            Parallel.forRange(threads, 1, (from, to) -> {
                for (int c = from; c < to; c++) {
                    float s = 0;
                    for (long done = 0; done < iters; done += FMA_PIECE) s += fmaChains(FMA_PIECE);
                    sink = s;
                }
            });
            long t = System.nanoTime() - t0;
            best = Math.max(best, 2.0 * 8 * S.length() * iters * threads * 1e9 / t);
        }
        return best;
    }

    private static float fmaChains(long iters) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f), c = FloatVector.broadcast(S, 1e-7f);
        FloatVector v0 = FloatVector.broadcast(S, 1), v1 = v0, v2 = v0, v3 = v0, v4 = v0, v5 = v0, v6 = v0, v7 = v0;
        for (long i = 0; i < iters; i++) {
            v0 = v0.fma(m, c); v1 = v1.fma(m, c); v2 = v2.fma(m, c); v3 = v3.fma(m, c);
            v4 = v4.fma(m, c); v5 = v5.fma(m, c); v6 = v6.fma(m, c); v7 = v7.fma(m, c);
        }
        return v0.add(v1).add(v2).add(v3).add(v4).add(v5).add(v6).add(v7).reduceLanes(VectorOperators.ADD);
    }
}
