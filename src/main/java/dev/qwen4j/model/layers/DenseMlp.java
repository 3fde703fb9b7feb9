package dev.qwen4j.model.layers;

import dev.qwen4j.tensor.MatMulGroup;
import dev.qwen4j.tensor.Ops;
import dev.qwen4j.tensor.WeightMatrix;

/** SwiGLU: down(silu(gate(x)) ⊙ up(x)), no biases. */
public final class DenseMlp implements FeedForward {
    private final WeightMatrix gate, up, down;
    /** gate and up in one pass (one dispatch per decode step instead of two). */
    private final MatMulGroup gateUp;
    private final int hidden, inter;
    private float[] g = new float[0], u = new float[0];
    private float[][] gu = {g, u};

    public DenseMlp(WeightMatrix gate, WeightMatrix up, WeightMatrix down) {
        this.gate = gate;
        this.up = up;
        this.down = down;
        this.gateUp = new MatMulGroup(gate, up);
        this.hidden = gate.cols();
        this.inter = gate.rows();
    }

    @Override
    public void forward(float[] x, float[] out, int n) {
        if (g.length < n * inter) {
            g = new float[n * inter];
            u = new float[n * inter];
            gu = new float[][] {g, u};
        }
        gateUp.matmul(x, 0, gu, n);
        Ops.siluMul(g, 0, u, 0, n * inter);
        down.matmul(g, 0, out, 0, n);
    }

    @Override
    public long packForBatches() {
        return gate.packForBatches() + up.packForBatches() + down.packForBatches();
    }

    @Override
    public long interleaveForDecode() {
        return Attention.interleaved(gate) + Attention.interleaved(up) + Attention.interleaved(down);
    }

    @Override
    public long bytesPerToken() {
        return gate.decodeBytes() + up.decodeBytes() + down.decodeBytes();
    }

    @Override
    public long flopsPerToken() {
        return 2L * 3 * hidden * inter;
    }
}
