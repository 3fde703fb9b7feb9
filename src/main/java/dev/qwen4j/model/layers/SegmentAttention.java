package dev.qwen4j.model.layers;

import dev.qwen4j.tensor.DType;
import dev.qwen4j.tensor.Ops;
import dev.qwen4j.tensor.Parallel;
import dev.qwen4j.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Bidirectional multi-head attention restricted to segments (the vision tower's `cu_seqlens`): token i
 * attends to every token of its own segment and to nothing else. Input is the fused QKV projection,
 * one row per token laid out [q heads | k heads | v heads] (Qwen3-VL's `attn.qkv`), each head D wide.
 *
 * <p>Per segment and head, S = Q·Kᵀ·D^-½ and O = softmax(S)·V are two matrix products, so both run
 * through {@link WeightMatrix#matmul} (the packed GEMM on all threads) with K and Vᵀ as the "weights",
 * staged in native memory. Queries go in blocks so the score buffer stays small for large images.
 * {@link #attendScalar} is the plain-loop twin the tests compare with.
 */
public final class SegmentAttention {
    private SegmentAttention() {}

    /** Queries per block: scores take QUERY_BLOCK × segment-length floats. */
    static final int QUERY_BLOCK = 256;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * out[t·heads·D + h·D + d] = attention output of token t, head h.
     *
     * @param bounds segment boundaries: segment s is tokens [bounds[s], bounds[s+1])
     */
    public static void attend(float[] qkv, int heads, int headDim, int[] bounds, float[] out) {
        int hidden = heads * headDim, stride = 3 * hidden;
        int maxLen = 0;
        for (int s = 0; s + 1 < bounds.length; s++) maxLen = Math.max(maxLen, bounds[s + 1] - bounds[s]);
        if (maxLen == 0) return;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        try (Arena arena = Arena.ofShared()) { // shared: the compute threads read it
            MemorySegment kSeg = arena.allocate((long) maxLen * headDim * Float.BYTES, 64);
            MemorySegment vtSeg = arena.allocate((long) maxLen * headDim * Float.BYTES, 64);
            int qb = Math.min(QUERY_BLOCK, maxLen);
            float[] q = new float[qb * headDim];
            float[] scores = new float[qb * maxLen];
            float[] o = new float[qb * headDim];
            for (int s = 0; s + 1 < bounds.length; s++) {
                int b0 = bounds[s], len = bounds[s + 1] - b0;
                if (len == 0) continue;
                for (int h = 0; h < heads; h++) {
                    int qCol = h * headDim, kCol = hidden + h * headDim, vCol = 2 * hidden + h * headDim;
                    for (int j = 0; j < len; j++) {
                        MemorySegment.copy(qkv, (b0 + j) * stride + kCol, kSeg, F32, (long) j * headDim * Float.BYTES, headDim);
                        for (int d = 0; d < headDim; d++) {
                            vtSeg.setAtIndex(F32, (long) d * len + j, qkv[(b0 + j) * stride + vCol + d]);
                        }
                    }
                    WeightMatrix k = new WeightMatrix("vision keys", kSeg.asSlice(0, (long) len * headDim * Float.BYTES), DType.F32, len, headDim);
                    WeightMatrix vt = new WeightMatrix("vision values", vtSeg.asSlice(0, (long) len * headDim * Float.BYTES), DType.F32, headDim, len);
                    for (int q0 = 0; q0 < len; q0 += qb) {
                        int m = Math.min(qb, len - q0);
                        for (int i = 0; i < m; i++) System.arraycopy(qkv, (b0 + q0 + i) * stride + qCol, q, i * headDim, headDim);
                        k.matmul(q, 0, scores, 0, m);
                        Parallel.forRange(m, 1, (from, to) -> {
                            for (int i = from; i < to; i++) {
                                Ops.scale(scores, i * len, scale, len);
                                Ops.softmax(scores, i * len, len);
                            }
                        });
                        vt.matmul(scores, 0, o, 0, m);
                        for (int i = 0; i < m; i++) System.arraycopy(o, i * headDim, out, (b0 + q0 + i) * hidden + qCol, headDim);
                    }
                }
            }
        }
    }

    /** The scalar twin of {@link #attend}. */
    public static void attendScalar(float[] qkv, int heads, int headDim, int[] bounds, float[] out) {
        int hidden = heads * headDim, stride = 3 * hidden;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        for (int s = 0; s + 1 < bounds.length; s++) {
            int b0 = bounds[s], b1 = bounds[s + 1];
            float[] p = new float[b1 - b0];
            for (int h = 0; h < heads; h++) {
                for (int i = b0; i < b1; i++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = b0; j < b1; j++) {
                        float dot = 0f;
                        for (int d = 0; d < headDim; d++) dot += qkv[i * stride + h * headDim + d] * qkv[j * stride + hidden + h * headDim + d];
                        p[j - b0] = dot * scale;
                        max = Math.max(max, p[j - b0]);
                    }
                    float sum = 0f;
                    for (int j = 0; j < p.length; j++) {
                        p[j] = (float) Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    for (int d = 0; d < headDim; d++) {
                        float acc = 0f;
                        for (int j = b0; j < b1; j++) acc += p[j - b0] / sum * qkv[j * stride + 2 * hidden + h * headDim + d];
                        out[i * hidden + h * headDim + d] = acc;
                    }
                }
            }
        }
    }
}
