package dev.qwen4j.cli;

import dev.qwen4j.bench.MachineProbe;
import dev.qwen4j.bench.Stats;
import dev.qwen4j.bench.SyntheticModel;
import dev.qwen4j.bench.VisionBench;
import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvBlockPool;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.model.LanguageModel;
import dev.qwen4j.model.ModelRegistry;
import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.Parallel;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * llama-bench-like speed test: pp (prefill N prompt tokens) and tg (generate N tokens one at a time),
 * mean ± stddev over repetitions, next to the machine's measured read bandwidth and FMA rate. On a
 * shared machine those vary from minute to minute, so each repetition is also set against a short
 * probe taken just before it, and the median of those fractions is reported too.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prefill (pp) and decode (tg) speed, like llama-bench.")
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Mixin
    QuantizeOption quantize;

    @Option(names = "--synthetic", paramLabel = "SHAPE",
            description = "Use a real-shaped random BF16 model written once to the cache: qwen3-0.6b, qwen3-1.7b, qwen3-4b; "
                    + "or a Qwen3-VL vision tower (with --image-size): qwen3-vl-2b, qwen3-vl-4b, qwen3-vl-8b.")
    String synthetic;

    @Option(names = "--image-size", paramLabel = "PIXELS",
            description = "Measure the vision tower instead: time to encode one square image of this side (a multiple of 32).")
    Integer imageSize;

    @Option(names = {"-p", "--pp"}, defaultValue = "512", paramLabel = "N", description = "Prompt tokens for the prefill test (0 = skip).")
    int pp;

    @Option(names = {"-n", "--tg"}, defaultValue = "128", paramLabel = "N", description = "Tokens for the decode test (0 = skip).")
    int tg;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "3", paramLabel = "N")
    int reps;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--no-interleave",
            description = "Decode over the original quantized blocks with f32 activations instead of interleaved copies "
                    + "with 8-bit activations (Q4_0, Q4_K, Q5_0, Q5_K, Q6_K; like llama.cpp's --no-repack).")
    boolean noInterleave;

    @Option(names = "--no-probe", description = "Skip the bandwidth/FMA measurement.")
    boolean noProbe;

    @Option(names = {"-d", "--depth"}, defaultValue = "0", paramLabel = "N",
            description = "Tokens already in the KV cache before each test, like llama-bench's -d (default ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--kv-cache-dtype", defaultValue = "f32", paramLabel = "TYPE", converter = KvCacheTypeConverter.class,
            description = "KV cache element type: f32 or bf16 (default ${DEFAULT-VALUE}).")
    DType kvCacheType;

    /** Loads the model, reporting how long in-memory quantization took (it is not part of the timed tests). */
    private LanguageModel loadTimed(Path dir) {
        long start = System.nanoTime();
        LanguageModel m = ModelRegistry.load(dir, quantize.type());
        if (quantize.type() != null) {
            System.out.printf("quantized in memory to %s in %.1f s%n", quantize.type().name().toLowerCase(java.util.Locale.ROOT),
                    (System.nanoTime() - start) / 1e9);
        }
        return m;
    }

    @Override
    public Integer call() {
        if (threads != null) Parallel.setThreads(threads);
        if (imageSize != null) return benchVision();
        Path dir = synthetic != null ? SyntheticModel.ensure(synthetic, SyntheticModel.defaultCacheDir()) : model.resolve();
        double bandwidth = 0, flops = 0;
        if (!noProbe) {
            bandwidth = MachineProbe.readBandwidth(1L << 30, 5);
            // best of many short reps (~3 ms each): at start-up the JIT's compiler threads share the cores
            flops = MachineProbe.fmaRate(25);
            System.out.printf("machine: %d threads, read bandwidth %.1f GB/s, f32 FMA peak %.0f GFLOP/s%n",
                    Parallel.threads(), bandwidth / 1e9, flops / 1e9);
        }
        dev.qwen4j.tensor.quant.InterleavedRows.setEnabled(!noInterleave);
        try (LanguageModel m = loadTimed(dir)) {
            pool = null; // made for this model on first use
            long headerBytes = m.weightBytesPerToken();
            System.out.printf("model: %s (%.2f GB of weights read per token, %.2f GFLOP per token)%n", dir,
                    m.weightBytesPerToken() / 1e9, m.flopsPerToken() / 1e9);
            if (depth > 0 || kvCacheType != DType.F32) {
                System.out.printf("KV cache: %s, %d tokens of context before each test%n", kvCacheType.name().toLowerCase(java.util.Locale.ROOT), depth);
            }
            System.out.printf("%-8s %-14s %-10s %s%n", "test", "tokens/s", "median", "efficiency");
            SplittableRandom rnd = new SplittableRandom(42);
            if (pp > 0) {
                // warm-up (JIT, page-in) with a full-size prefill, as llama-bench does: after a 64-token one the
                // first timed pp512 still ran at about half speed (C2 still compiling the GEMM and attention paths)
                run(m, rnd, true, pp, 0);
                // and some decode steps: a prefill's last token goes through the output head's decode kernel, once
                // per prefill, too rarely for C2 to have compiled it after one; where the head's format is used
                // nowhere else (the Q6_K head of a Q4_0 file) it took 0.4-0.7 s of each of the first timed pp512
                // (Qwen3-0.6B) against 11-23 ms compiled
                run(m, rnd, false, 32, 0);
                // A prefill multiplies every prompt token through the layers but only the last one
                // through lm_head, so per-token FLOPs overstate its work (by 26% for Qwen3-0.6B).
                long lmHead = 2L * m.vocabSize() * m.hiddenSize();
                double flopsPerToken = ((double) pp * (m.flopsPerToken() - lmHead) + lmHead) / pp;
                double[] tps = new double[reps], frac = new double[reps];
                for (int i = 0; i < reps; i++) {
                    double peak = noProbe ? 0 : MachineProbe.fmaRate(5);
                    tps[i] = run(m, rnd, true, pp, depth);
                    frac[i] = peak > 0 ? tps[i] * flopsPerToken / peak : 0;
                }
                Stats s = Stats.of(tps);
                double done = s.median() * flopsPerToken;
                String eff = flops > 0 ? String.format("%.1f GFLOP/s (%.0f%% of FMA peak; %.0f%% of the peak probed before each run)",
                        done / 1e9, 100 * done / flops, 100 * Stats.of(frac).median()) : String.format("%.1f GFLOP/s", done / 1e9);
                System.out.printf("%-8s %-14s %-10.2f %s%n", "pp" + pp, s, s.median(), eff);
            }
            if (tg > 0) {
                // warm-up: 32 tokens, so C2 has compiled the decode kernels (and the interleaved copies exist)
                // before the first timed run; with 8 the first run still ran partly in C1 code
                run(m, rnd, false, Math.min(tg, 32), Math.min(depth, 64));
                double[] tps = new double[reps], frac = new double[reps];
                for (int i = 0; i < reps; i++) {
                    double bw = noProbe ? 0 : MachineProbe.readBandwidth(1L << 30, 1);
                    tps[i] = run(m, rnd, false, tg, depth);
                    frac[i] = bw > 0 ? tps[i] * m.weightBytesPerToken() / bw : 0;
                }
                Stats s = Stats.of(tps);
                double used = s.median() * m.weightBytesPerToken();
                if (m.weightBytesPerToken() != headerBytes) {
                    System.out.printf("(decode reads %.2f GB per token: interleaved copies of the 3- to 6-bit weights)%n",
                            m.weightBytesPerToken() / 1e9);
                }
                String eff = bandwidth > 0 ? String.format("%.1f GB/s (%.0f%% of read bandwidth; %.0f%% of the bandwidth probed before each run)",
                        used / 1e9, 100 * used / bandwidth, 100 * Stats.of(frac).median()) : String.format("%.1f GB/s", used / 1e9);
                System.out.printf("%-8s %-14s %-10.2f %s%n", "tg" + tg, s, s.median(), eff);
            }
        }
        return 0;
    }

    private int benchVision() {
        Path dir = synthetic != null ? SyntheticModel.ensureVisionTower(synthetic, SyntheticModel.defaultCacheDir()) : model.resolve();
        VisionBench.Result r = VisionBench.run(dir, imageSize, reps);
        Stats s = Stats.of(r.seconds());
        System.out.printf("vision tower: %s, %d threads%n", dir, Parallel.threads());
        Stats cpu = Stats.of(r.cpuSeconds());
        System.out.printf("encode %dx%d (%d patches, %.0f GFLOP): %s s per image, median %.3f s, %.1f GFLOP/s%n", imageSize, imageSize,
                r.patches(), r.flops() / 1e9, s, s.median(), r.flops() / s.median() / 1e9);
        System.out.printf("process CPU time per image: median %.3f s (%.1f GFLOP per CPU-second)%n", cpu.median(), r.flops() / cpu.median() / 1e9);
        return 0;
    }

    /**
     * Tokens per second of one prefill of n tokens, or of n single-token decode steps, after depth tokens of
     * context have been prefilled (untimed).
     */
    /**
     * One KV pool for the whole benchmark, as llama-bench allocates its cache once: each test's blocks go back to it
     * and the next test reuses them. With a pool per test every pp512 made ~120 MB of new KV arrays (Qwen3-0.6B)
     * that young collections copied while they lived, a 190–280 ms pause inside the timed prefills.
     */
    private KvBlockPool pool;

    private double run(LanguageModel m, SplittableRandom rnd, boolean prefill, int n, int depth) {
        if (depth + n > m.contextLength()) {
            throw new UsageError("--depth " + depth + " plus " + n + " tokens is more than the model's context of " + m.contextLength());
        }
        if (pool == null) pool = m.newKvPool(64, 0, kvCacheType);
        try (KvCache cache = new KvCache(pool, m.contextLength())) {
            ForwardBatch b = new ForwardBatch();
            prefill(m, rnd, b, cache, 0, depth);
            long t0 = System.nanoTime();
            if (prefill) {
                prefill(m, rnd, b, cache, depth, depth + n);
            } else {
                float[] logits = null;
                for (int i = depth; i < depth + n; i++) {
                    b.clear();
                    b.add(cache, rnd.nextInt(151643), i, true);
                    logits = m.forward(b, logits);
                }
            }
            return n * 1e9 / (System.nanoTime() - t0);
        }
    }

    /** Prefills positions [from, to) with random tokens in 512-token steps. */
    private static void prefill(LanguageModel m, SplittableRandom rnd, ForwardBatch b, KvCache cache, int from, int to) {
        for (int s = from; s < to; s += 512) {
            b.clear();
            for (int i = s; i < Math.min(to, s + 512); i++) b.add(cache, rnd.nextInt(151643), i, i == to - 1);
            m.forward(b);
        }
    }
}
