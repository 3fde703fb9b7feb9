package dev.qwen4j.tensor;

/**
 * Dispatch of the row-streaming (decode) kernels: one or several weight matrices that share the
 * input, multiplied in a single parallel pass whose row range spans all of them.
 *
 * <p>Decoding a token is about 200 small products; fusing the ones with a common input (q/k/v,
 * gate/up) removes a fork/join barrier each, and lets the threads split the matrices' combined bytes
 * evenly instead of splitting each one. bf16 matrices whose rows are whole {@link PairedBf16}
 * blocks use that kernel; the activations are permuted for it once per call, before the dispatch.
 */
final class RowStream {
    private RowStream() {}

    /** Rows per chunk of the split: small, so threads get near-equal byte counts. */
    static final int GRAIN = 16;

    /**
     * Chunks per thread: a few, claimed dynamically, so a thread the OS deschedules mid-product (a
     * busy, shared machine) delays the others by one chunk, not by its whole half. Each chunk is
     * still one long sequential stream (a 3072 × 1024 bf16 matrix on 2 threads: 768 KB per chunk).
     */
    private static final int CHUNKS_PER_THREAD = 4;

    private static final ThreadLocal<float[]> SPLIT = ThreadLocal.withInitial(() -> new float[0]);

    /** out[outOff + b·rows + r] = Σ_c W[r, c] · x[xOff + b·cols + c] for one matrix. */
    static void matmul(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        if (PairedBf16.fits(w)) {
            float[] xp = split(x, xOff, w.cols(), n);
            Parallel.forChunks(w.rows(), GRAIN, chunks(), (from, to) -> PairedBf16.rows(w, xp, out, outOff, n, from, to));
        } else {
            Parallel.forChunks(w.rows(), GRAIN, chunks(), (from, to) -> MatVec.rows(w, x, xOff, out, outOff, n, from, to));
        }
    }

    /**
     * outs[i][b·rows_i + r] = Σ_c W_i[r, c] · x[xOff + b·cols + c] for every matrix i, in one dispatch.
     * All matrices have the same number of columns.
     */
    static void matmul(WeightMatrix[] ws, float[] x, int xOff, float[][] outs, int n) {
        int cols = ws[0].cols();
        boolean paired = true;
        int total = 0;
        for (WeightMatrix w : ws) {
            paired &= PairedBf16.fits(w);
            total += w.rows();
        }
        float[] xp = paired ? split(x, xOff, cols, n) : null;
        Parallel.forChunks(total, GRAIN, chunks(), (from, to) -> {
            int start = 0;
            for (int i = 0; i < ws.length && start < to; i++) {
                WeightMatrix w = ws[i];
                int lo = Math.max(from, start) - start, hi = Math.min(to, start + w.rows()) - start;
                if (lo < hi) {
                    if (xp != null) PairedBf16.rows(w, xp, outs[i], 0, n, lo, hi);
                    else MatVec.rows(w, x, xOff, outs[i], 0, n, lo, hi);
                }
                start += w.rows();
            }
        });
    }

    private static int chunks() {
        return CHUNKS_PER_THREAD * Parallel.threads();
    }

    /** The calling thread's buffer holding x in {@link PairedBf16} order. */
    private static float[] split(float[] x, int xOff, int cols, int n) {
        float[] xp = SPLIT.get();
        if (xp.length < n * cols) SPLIT.set(xp = new float[n * cols]);
        PairedBf16.split(x, xOff, cols, n, xp);
        return xp;
    }
}
