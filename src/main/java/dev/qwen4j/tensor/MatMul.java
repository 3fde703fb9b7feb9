package dev.qwen4j.tensor;

import dev.qwen4j.tensor.quant.QuantMatMul;
import java.lang.foreign.MemorySegment;

/**
 * Matrix-matrix and matrix-vector products against a {@link WeightMatrix}:
 * out[outOff + b·rows + r] = Σ_c W[r, c] · x[xOff + b·cols + c] for b in [0, n).
 *
 * <p>Two vector kernels, chosen by n: {@link RowStream} streams each weight row once and dots it
 * with the few activation vectors (decode, bandwidth bound); {@link Gemm} packs blocks of W into f32
 * panels and reuses them across many tokens (prefill, compute bound). Both split rows across the
 * compute threads. {@link #matmulScalar} is the reference the tests compare them with. Block-quantized
 * weights go to {@link QuantMatMul}.
 */
final class MatMul {
    private MatMul() {}

    /**
     * From this many activation vectors on, the packed kernel wins: packing a weight costs about as
     * much as 8–16 row-streaming multiply-adds with it (measured on Zen 4; see MatMulBench).
     */
    static final int GEMM_MIN_N = 8;

    /**
     * The same for matrices with a register-tiled kernel that needs no packing: bf16 rows that
     * {@link PairedBf16} streams, and block-quantized rows ({@link QuantMatMul}'s dequantized 4-row tiles).
     * Their tiles keep the FMA units busy and are overtaken by the packed kernel only from about 32
     * vectors on (3072 × 1024, 2 threads, weights out of cache, tiles vs packed: bf16 16 vectors 1.1 vs
     * 1.5 ms, 32 vectors 1.8 vs 1.8 ms, 64 vectors 3.3 vs 2.8 ms; Q8_0 16 vectors 0.93 vs 1.52 ms; Q4_K 16
     * vectors 1.03 vs 1.38 ms, 32 vectors 1.84 vs 1.86 ms). This is the range of a serving engine's decode steps.
     */
    static final int TILED_GEMM_MIN_N = 32;

    /** Whether a product with n vectors goes through a batched kernel ({@link Gemm} or pre-packed panels). */
    static boolean batched(WeightMatrix w, int n) {
        if (n < GEMM_MIN_N) return false;
        boolean tiled = PairedBf16.fits(w) || w.dtype().isQuantized();
        if (n >= TILED_GEMM_MIN_N || !tiled) return true;
        // Pre-packed panels beat the tiles on rows of one K chunk (16 vectors: 3072 × 1024 0.71 vs 1.1 ms,
        // the 151936 × 1024 output head 34 vs 45 ms) but not on longer rows, whose panels go through the
        // output several times (1024 × 3072: 1.4–2.0 vs 1.0 ms; 1024 × 2048: 0.7 vs 0.64 ms).
        return w.panels() != null && w.cols() <= Gemm.KC_MAX;
    }

    static void matmul(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        checkBounds(w, x, xOff, out, outOff, n);
        if (n <= 0) return;
        boolean batched = batched(w, n);
        if (w.dtype().isQuantized() && !batched) {
            QuantMatMul.matmul(w, x, xOff, out, outOff, n);
        } else if (batched && w.panels() != null) {
            MemorySegment p = w.panels();
            Parallel.forChunks(w.rows(), Gemm.RB, 4 * Parallel.threads(),
                    (from, to) -> Bf16Panels.rows(p, w.rows(), w.cols(), x, xOff, out, outOff, n, from, to));
        } else if (batched) {
            // quantized weights too: a panel is dequantized once and reused by all n tokens
            // a few chunks per thread, claimed dynamically (see RowStream): each packs its own rows anyway
            Parallel.forChunks(w.rows(), Gemm.RB, 4 * Parallel.threads(), (from, to) -> Gemm.rows(w, x, xOff, out, outOff, n, from, to));
        } else {
            RowStream.matmul(w, x, xOff, out, outOff, n);
        }
    }

    /** The row-streaming kernel for any n (tests and benchmarks). */
    static void matmulRows(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        checkBounds(w, x, xOff, out, outOff, n);
        RowStream.matmul(w, x, xOff, out, outOff, n);
    }

    /** The pre-packed BF16 panel kernel for any n (tests and benchmarks); w must have been packed. */
    static void matmulPanels(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        checkBounds(w, x, xOff, out, outOff, n);
        MemorySegment p = w.panels();
        if (p == null) throw new IllegalStateException(w + " has no panels: call packForBatches first");
        Parallel.forRange(w.rows(), Gemm.RB, (from, to) -> Bf16Panels.rows(p, w.rows(), w.cols(), x, xOff, out, outOff, n, from, to));
    }

    /** The packed kernel for any n (tests and benchmarks). */
    static void matmulPacked(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        checkBounds(w, x, xOff, out, outOff, n);
        Parallel.forRange(w.rows(), Gemm.RB, (from, to) -> Gemm.rows(w, x, xOff, out, outOff, n, from, to));
    }

    /** The plain scalar loop: the reference for tests and the baseline for benchmarks. */
    static void matmulScalar(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
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

    /**
     * The vector kernels index arrays in bulk, so a bad offset would surface as an exception from
     * deep inside a worker (or, for the packed tile copy, as a partial write). Checking up front
     * gives one clear message instead.
     */
    static void checkBounds(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int n) {
        if (n < 0 || xOff < 0 || outOff < 0
                || (long) xOff + (long) n * w.cols() > x.length
                || (long) outOff + (long) n * w.rows() > out.length) {
            throw new IndexOutOfBoundsException("matmul " + w + ": n=" + n + ", x[" + xOff + "..] of " + x.length
                    + ", out[" + outOff + "..] of " + out.length);
        }
    }
}
