package dev.qwen4j.tensor.bench;

import dev.qwen4j.tensor.WeightMatrix;

/** Access to package-private kernels of dev.qwen4j.tensor for the benchmarks in this package. */
final class Bench {
    private Bench() {}

    static void scalar(WeightMatrix w, float[] x, float[] out, int n) {
        dev.qwen4j.tensor.BenchAccess.matmulScalar(w, x, out, n);
    }
}
