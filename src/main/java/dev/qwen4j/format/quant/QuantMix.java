package dev.qwen4j.format.quant;

import dev.qwen4j.tensor.DType;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which dtype each tensor gets for a {@link QuantType}, following llama.cpp's llama-quantize rules
 * (llama_tensor_get_type) for the tensors Qwen3 has, keyed by GGUF tensor name:
 * <ul>
 *   <li>1-D tensors, norms and the MoE router (ffn_gate_inp) are not quantized (F32);</li>
 *   <li>output.weight — and token_embd.weight when the embeddings are tied — become Q6_K (Q8_0 for Q8_0,
 *       or when the row length does not fill 256-value blocks);</li>
 *   <li>Q4_K_M and Q5_K_M: attn_v and ffn_down get Q6_K on the use_more_bits layers (the first and last
 *       eighth of the layers and every third one between);</li>
 *   <li>Q3_K_M: attn_v gets Q5_K on the first two layers and Q4_K after, ffn_down Q5_K on the first
 *       sixteenth of the layers and Q4_K after, attn_output Q4_K;</li>
 *   <li>IQ4_NL and IQ4_XS (without an importance matrix): attn_v gets Q5_K when four or more query heads share
 *       a KV head, ffn_down Q5_K on the first eighth of the layers (llama.cpp's attn_output rule for 8-expert
 *       models does not apply to Qwen3's 128 experts);</li>
 *   <li>everything else gets the base type.</li>
 * </ul>
 * A row length the chosen block does not divide falls back as llama.cpp does (Q2_K, Q3_K, IQ4_XS → IQ4_NL,
 * Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0, and F16 when the fallback's 32-value blocks do not divide it either);
 * Q8_0/Q4_0/Q5_0 rows
 * that are not a multiple of 32, which llama.cpp refuses, become F16.
 */
public final class QuantMix {
    private QuantMix() {}

    private static final Pattern LAYER = Pattern.compile("blk\\.(\\d+)\\..*");

    /**
     * @param gguf      the GGUF tensor name
     * @param ne        its dimensions, innermost first (ne[0] = row length)
     * @param nLayers   the model's layer count
     * @param tied      whether the output projection is the token embedding
     * @param gqa       query heads per KV head (num_attention_heads / num_key_value_heads)
     */
    public static DType typeFor(QuantType type, String gguf, long[] ne, int nLayers, boolean tied, int gqa) {
        boolean matrix = ne.length >= 2;
        if (!matrix || !gguf.endsWith("weight") || gguf.contains("_norm.weight")) return DType.F32;
        if (!type.isQuantized()) return type.base();
        if (gguf.contains("ffn_gate_inp.weight")) return DType.F32;
        DType t = type.base();
        long cols = ne[0];
        boolean output = gguf.equals("output.weight") || (tied && gguf.equals("token_embd.weight"));
        if (output) {
            if (cols % DType.Q6_K.blockSize() != 0 || type.base() == DType.Q8_0) t = DType.Q8_0;
            else t = DType.Q6_K;
        } else if (type == QuantType.Q3_K_M && (gguf.contains("attn_v.weight") || gguf.contains("ffn_down"))) {
            int layer = layer(gguf);
            boolean first = gguf.contains("attn_v.weight") ? layer < 2 : layer < nLayers / 16;
            t = layer >= 0 && first ? DType.Q5_K : DType.Q4_K;
        } else if (type == QuantType.Q3_K_M && gguf.contains("attn_output.weight")) {
            t = DType.Q4_K;
        } else if ((type == QuantType.IQ4_NL || type == QuantType.IQ4_XS) && gguf.contains("attn_v.weight")) {
            if (gqa >= 4) t = DType.Q5_K;
        } else if ((type == QuantType.IQ4_NL || type == QuantType.IQ4_XS) && gguf.contains("ffn_down")) {
            int layer = layer(gguf);
            if (layer >= 0 && layer < nLayers / 8) t = DType.Q5_K;
        } else if ((type == QuantType.Q4_K_M || type == QuantType.Q5_K_M) && (gguf.contains("attn_v.weight") || gguf.contains("ffn_down"))) {
            int layer = layer(gguf);
            if (layer >= 0 && useMoreBits(layer, nLayers)) t = DType.Q6_K;
        }
        return fallback(t, cols);
    }

    /** llama.cpp's use_more_bits(i_layer, n_layers). */
    static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    private static DType fallback(DType t, long cols) {
        if (cols % t.blockSize() == 0) return t;
        t = switch (t) {
            case Q2_K, Q3_K, IQ4_XS -> DType.IQ4_NL;
            case Q4_K -> DType.Q5_0;
            case Q5_K -> DType.Q5_1;
            case Q6_K -> DType.Q8_0;
            default -> t;
        };
        return cols % t.blockSize() == 0 ? t : DType.F16;
    }

    private static int layer(String gguf) {
        Matcher m = LAYER.matcher(gguf);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }
}
