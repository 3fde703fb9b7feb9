package dev.qwen4j.tensor;

import dev.qwen4j.tensor.quant.QuantMatMul;

/**
 * Weight matrices that multiply the same input, such as q/k/v or gate/up: outs[i] = x · W_iᵀ. For
 * decode (few tokens) all of them run in one parallel pass over their combined rows, which saves a
 * fork/join barrier per extra matrix and splits their combined bytes evenly across threads; for
 * prefill each runs as its own packed product, which has ample parallel work alone.
 */
public final class MatMulGroup {
    private final WeightMatrix[] ws;
    private final boolean fusable;
    /** All block-quantized with row kernels: fused through {@link QuantMatMul#rowKernels}. */
    private final boolean quantFusable;
    private final int[] zeroOffsets;

    public MatMulGroup(WeightMatrix... ws) {
        if (ws.length == 0) throw new IllegalArgumentException("empty matmul group");
        boolean f = true, q = true;
        for (WeightMatrix w : ws) {
            if (w.cols() != ws[0].cols()) {
                throw new IllegalArgumentException("matmul group needs equal column counts: " + w + " vs " + ws[0]);
            }
            f &= streamable(w.dtype());
            q &= QuantMatMul.hasRowKernel(w.dtype());
        }
        this.ws = ws.clone();
        this.fusable = f;
        this.quantFusable = q;
        this.zeroOffsets = new int[ws.length];
    }

    private boolean anyBatched(int n) {
        for (WeightMatrix w : ws) {
            if (MatMul.batched(w, n)) return true;
        }
        return false;
    }

    /** Dtypes {@link RowStream} handles; block-quantized ones fuse through their row kernels instead. */
    private static boolean streamable(DType d) {
        return switch (d) {
            case F32, BF16, F16 -> true;
            default -> false;
        };
    }

    public int size() {
        return ws.length;
    }

    public WeightMatrix get(int i) {
        return ws[i];
    }

    /** outs[i][b·rows_i + r] = Σ_c W_i[r, c] · x[xOff + b·cols + c] for b in [0, n). */
    public void matmul(float[] x, int xOff, float[][] outs, int n) {
        if (outs.length != ws.length) throw new IllegalArgumentException(outs.length + " outputs for " + ws.length + " matrices");
        if (n <= 0) return;
        boolean quantRows = quantFusable;
        for (WeightMatrix w : ws) quantRows &= QuantMatMul.usesRowKernels(w, n);
        if (!(fusable || quantRows) || anyBatched(n)) {
            for (int i = 0; i < ws.length; i++) ws[i].matmul(x, xOff, outs[i], 0, n);
            return;
        }
        for (int i = 0; i < ws.length; i++) MatMul.checkBounds(ws[i], x, xOff, outs[i], 0, n);
        if (quantRows) {
            QuantMatMul.rowKernels(ws, x, xOff, outs, zeroOffsets, n);
        } else {
            RowStream.matmul(ws, x, xOff, outs, n);
        }
    }
}
