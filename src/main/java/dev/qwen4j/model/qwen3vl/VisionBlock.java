package dev.qwen4j.model.qwen3vl;

import dev.qwen4j.format.TensorStore;
import dev.qwen4j.model.layers.SegmentAttention;
import dev.qwen4j.tensor.Gelu;
import dev.qwen4j.tensor.LayerNorm;
import dev.qwen4j.tensor.Ops;
import dev.qwen4j.tensor.Parallel;

/**
 * One pre-LN ViT block (spec §3.4 f):
 * <pre>
 *   x += proj(Attention_segments(RoPE₂ᴅ(qkv(LN1(x)))))
 *   x += fc2(GELU(fc1(LN2(x))))
 * </pre>
 */
final class VisionBlock {
    private final float[] norm1Weight, norm1Bias, norm2Weight, norm2Bias;
    private final Linear qkv, proj, fc1, fc2;
    private final VisionConfig c;

    VisionBlock(TensorStore s, String p, VisionConfig c) {
        int hv = c.hiddenSize();
        this.c = c;
        norm1Weight = s.vector(p + "norm1.weight", hv);
        norm1Bias = s.vector(p + "norm1.bias", hv);
        norm2Weight = s.vector(p + "norm2.weight", hv);
        norm2Bias = s.vector(p + "norm2.bias", hv);
        qkv = Linear.load(s, p + "attn.qkv", 3 * hv, hv);
        proj = Linear.load(s, p + "attn.proj", hv, hv);
        fc1 = Linear.load(s, p + "mlp.linear_fc1", c.intermediateSize(), hv);
        fc2 = Linear.load(s, p + "mlp.linear_fc2", hv, c.intermediateSize());
    }

    /** x [n × Hv] in place; cos/sin from {@link VisionRotary#tables}; bounds = attention segments. */
    void forward(float[] x, int n, VisionRotary rotary, float[] cos, float[] sin, int[] bounds) {
        int hv = c.hiddenSize(), heads = c.numHeads(), hd = c.headDim();
        float eps = VisionConfig.LAYER_NORM_EPS;
        float[] normed = new float[n * hv];
        LayerNorm.normalizeRows(normed, 0, x, 0, norm1Weight, norm1Bias, hv, n, eps);
        float[] qkvOut = new float[n * 3 * hv];
        qkv.apply(normed, qkvOut, n);
        Parallel.forRange(n, 16, (from, to) -> {
            for (int t = from; t < to; t++) {
                rotary.rotate(qkvOut, t * 3 * hv, heads, cos, sin, t);      // q heads
                rotary.rotate(qkvOut, t * 3 * hv + hv, heads, cos, sin, t); // k heads
            }
        });
        float[] att = new float[n * hv];
        SegmentAttention.attend(qkvOut, heads, hd, bounds, att);
        float[] delta = normed; // LN1 output is dead now
        proj.apply(att, delta, n);
        Ops.addInPlace(x, 0, delta, 0, n * hv);

        LayerNorm.normalizeRows(normed, 0, x, 0, norm2Weight, norm2Bias, hv, n, eps);
        int inter = c.intermediateSize();
        float[] mid = new float[n * inter];
        fc1.apply(normed, mid, n);
        boolean tanh = c.hiddenAct().equals("gelu_pytorch_tanh");
        Parallel.forRange(n, 16, (from, to) -> {
            if (tanh) Gelu.tanhApprox(mid, from * inter, (to - from) * inter);
            else Gelu.exact(mid, from * inter, (to - from) * inter);
        });
        fc2.apply(mid, delta, n);
        Ops.addInPlace(x, 0, delta, 0, n * hv);
    }
}
