package dev.qwen4j.tensor.quant;

import dev.qwen4j.tensor.WeightMatrix;

/** Test-scope bridge so benchmarks in dev.qwen4j.tensor.bench can reach the package-private quantized kernels. */
public final class QuantBenchAccess {
    private QuantBenchAccess() {}

    /** One fused dequantize-dot call per row, split over the threads like the model's matmuls. */
    public static void perRowDot(WeightMatrix w, float[] x, float[] out) {
        QuantMatMul.matmulStreamed(w, x, 0, out, 0, 1);
    }

    /** The block-format row kernels with f32 activations ({@link RowKernels}), ignoring any interleaved copy. */
    public static void blockRows(WeightMatrix w, float[] x, float[] out) {
        QuantMatMul.rowKernels(new WeightMatrix[] {w}, x, 0, new float[][] {out}, new int[] {0}, 1, false);
    }

    public static void scalar(WeightMatrix w, float[] x, float[] out) {
        QuantMatMul.matmulScalar(w, x, 0, out, 0, 1);
    }
}
