package dev.qwen4j.tensor;

/** Matrix-matrix and matrix-vector products against a {@link WeightMatrix}. */
final class MatMul {
    private MatMul() {}

    static void matmul(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        int rows = w.rows(), cols = w.cols();
        Parallel.forRange(rows, 16, (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int b = 0; b < n; b++) {
                    float acc = 0f;
                    int xb = xOff + b * cols;
                    for (int c = 0; c < cols; c++) acc += w.get(r, c) * x[xb + c];
                    out[outOff + b * rows + r] = acc;
                }
            }
        });
    }
}
