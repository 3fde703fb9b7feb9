package dev.qwen4j.model.layers;

/** The position-wise block after attention: out[n×H] = FFN(x[n×H]). */
public interface FeedForward {
    void forward(float[] x, float[] out, int n);

    /** Weight bytes one token reads (for MoE: only the routed experts). */
    long bytesPerToken();

    /** Multiply-adds ×2 per token. */
    long flopsPerToken();
}
