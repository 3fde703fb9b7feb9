package dev.qwen4j.tensor;

/** Test-scope bridge so benchmarks in dev.qwen4j.tensor.bench can reach the package-private kernels. */
public final class BenchAccess {
    private BenchAccess() {}

    public static void matmulScalar(WeightMatrix w, float[] x, float[] out, int n) {
        MatMul.matmulScalar(w, x, 0, out, 0, n);
    }

    public static void matmulRows(WeightMatrix w, float[] x, float[] out, int n) {
        MatMul.matmulRows(w, x, 0, out, 0, n);
    }

    public static void matmulPacked(WeightMatrix w, float[] x, float[] out, int n) {
        MatMul.matmulPacked(w, x, 0, out, 0, n);
    }

    /** The plain row-streaming kernel (short→int widening per vector), bypassing the paired bf16 one. */
    public static void matmulPlainRows(WeightMatrix w, float[] x, float[] out, int n) {
        Parallel.forRange(w.rows(), RowStream.GRAIN, (from, to) -> MatVec.rows(w, x, 0, out, 0, n, from, to));
    }

    public static void scalarSoftmax(float[] x, int off, int n) {
        ScalarOps.softmax(x, off, n);
    }

    public static void scalarRmsnorm(float[] out, float[] x, float[] w, int n) {
        ScalarOps.rmsnorm(out, 0, x, 0, w, n, 1e-6f);
    }

    public static void scalarSiluMul(float[] g, float[] u, int n) {
        ScalarOps.siluMul(g, 0, u, 0, n);
    }

    public static float scalarDot(float[] a, float[] b, int n) {
        return ScalarOps.dot(a, 0, b, 0, n);
    }
}
