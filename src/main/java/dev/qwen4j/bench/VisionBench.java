package dev.qwen4j.bench;

import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.SafetensorsStore;
import dev.qwen4j.format.TensorStore;
import dev.qwen4j.model.qwen3vl.VisionConfig;
import dev.qwen4j.model.qwen3vl.VisionTower;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Time to encode one square image with a Qwen3-VL vision tower (random pixels: speed does not depend on them). */
public final class VisionBench {
    /**
     * Wall seconds and process CPU seconds per image (one value per repetition) and the FLOPs of one
     * encode. CPU time shows what the encode costs when the machine is shared and wall time is not.
     */
    public record Result(double[] seconds, double[] cpuSeconds, double flops, int patches) {}

    private VisionBench() {}

    /** dir holds config.json (with vision_config) and the model.visual.* tensors. */
    public static Result run(Path dir, int imageSize, int reps) {
        ConfigReader cfg = ConfigReader.of(dir.resolve("config.json"));
        ConfigReader vc = cfg.child("vision_config");
        if (vc == null) throw cfg.error("vision_config", "is required for the vision benchmark");
        VisionConfig c = VisionConfig.read(vc);
        int unit = c.patchSize() * c.spatialMergeSize();
        if (imageSize % unit != 0) throw new IllegalArgumentException("--image-size must be a multiple of " + unit + ", got " + imageSize);
        int side = imageSize / c.patchSize();
        int[] grid = {1, side, side};
        int n = side * side;
        float[] pixels = new float[n * c.patchDim()];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < pixels.length; i++) pixels[i] = (float) (rnd.nextDouble() * 2 - 1);
        try (TensorStore store = SafetensorsStore.open(dir)) {
            VisionTower tower = new VisionTower(store, "model.visual.", c);
            tower.encode(pixels, grid); // warm-up: JIT and page-in
            double[] secs = new double[reps], cpu = new double[reps];
            for (int r = 0; r < reps; r++) {
                long c0 = processCpuNanos(), t0 = System.nanoTime();
                tower.encode(pixels, grid);
                secs[r] = (System.nanoTime() - t0) / 1e9;
                cpu[r] = (processCpuNanos() - c0) / 1e9;
            }
            return new Result(secs, cpu, flops(c, n), n);
        }
    }

    private static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** Multiply-adds ×2 of the projections and attention products of one encode of n patches (one segment). */
    static double flops(VisionConfig c, int n) {
        double hv = c.hiddenSize(), inter = c.intermediateSize(), m = c.mergedDim(), out = c.outHiddenSize();
        double perBlock = 2.0 * n * (4 * hv * hv + 2 * hv * inter) + 4.0 * n * n * hv;
        double merger = 2.0 * (n / 4.0) * (m * m + m * out);
        return c.depth() * perBlock + 2.0 * n * c.patchDim() * hv + (1 + c.deepstackVisualIndexes().length) * merger;
    }
}
