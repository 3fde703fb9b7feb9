package dev.qwen4j.bench;

import dev.qwen4j.tensor.Parallel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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

    /** Best-of-reps read bandwidth in bytes/s over a buffer of the given size. */
    public static double readBandwidth(long bytes, int reps) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(bytes, 64);
            seg.fill((byte) 1);
            long floats = bytes / 4;
            int chunks = Parallel.threads() * 8;
            double best = 0;
            for (int r = 0; r < reps; r++) {
                float[] partial = new float[chunks];
                long t0 = System.nanoTime();
                Parallel.forRange(chunks, 1, (from, to) -> {
                    for (int c = from; c < to; c++) {
                        long lo = floats * c / chunks / S.length() * S.length();
                        long hi = floats * (c + 1) / chunks / S.length() * S.length();
                        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
                        long step = 4L * S.length();
                        long i = lo;
                        for (; i + step <= hi; i += step) {
                            a0 = a0.add(FloatVector.fromMemorySegment(S, seg, i * 4, ByteOrder.LITTLE_ENDIAN));
                            a1 = a1.add(FloatVector.fromMemorySegment(S, seg, (i + S.length()) * 4, ByteOrder.LITTLE_ENDIAN));
                            a2 = a2.add(FloatVector.fromMemorySegment(S, seg, (i + 2L * S.length()) * 4, ByteOrder.LITTLE_ENDIAN));
                            a3 = a3.add(FloatVector.fromMemorySegment(S, seg, (i + 3L * S.length()) * 4, ByteOrder.LITTLE_ENDIAN));
                        }
                        float s = a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
                        for (; i < hi; i++) s += seg.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                        partial[c] = s;
                    }
                });
                long t = System.nanoTime() - t0;
                float s = 0;
                for (float p : partial) s += p;
                sink = s;
                best = Math.max(best, bytes * 1e9 / t);
            }
            return best;
        }
    }

    /** Best-of-reps f32 FMA throughput in FLOP/s (one FMA = 2 FLOPs) on all compute threads. */
    public static double fmaRate(int reps) {
        final long iters = 20_000_000L / S.length();
        double best = 0;
        int threads = Parallel.threads();
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            Parallel.forRange(threads, 1, (from, to) -> {
                for (int c = from; c < to; c++) sink = fmaChains(iters);
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
