package dev.qwen4j.model.layers;

/** The position-wise block after attention: out[n×H] = FFN(x[n×H]). */
public interface FeedForward {
    void forward(float[] x, float[] out, int n);

    /** Weight bytes one token reads (for MoE: only the routed experts). */
    long bytesPerToken();

    /** See {@link dev.qwen4j.model.LanguageModel#interleaveForDecode}; MoE experts are left to first use. */
    default long interleaveForDecode() {
        return 0;
    }

    /** See {@link dev.qwen4j.tensor.WeightMatrix#packForBatches}; returns the bytes added (MoE experts see few rows: none). */
    default long packForBatches() {
        return 0;
    }

    /** Multiply-adds ×2 per token. */
    long flopsPerToken();
}
