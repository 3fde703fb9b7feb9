package dev.qwen4j.format.quant;

import dev.qwen4j.tensor.DType;
import java.util.Arrays;
import java.util.Locale;

/**
 * A whole-model file type as `qwen4j quantize --type` and `--quantize` name it: the base dtype of the
 * large weights plus llama.cpp's per-tensor rules ({@link QuantMix}). The ftype is the value llama.cpp
 * stores in general.file_type (enum llama_ftype).
 */
public enum QuantType {
    F32(DType.F32, 0),
    F16(DType.F16, 1),
    BF16(DType.BF16, 32),
    Q8_0(DType.Q8_0, 7),
    Q4_0(DType.Q4_0, 2),
    Q5_0(DType.Q5_0, 8),
    /** Q3_K with attn_v (first two layers Q5_K, else Q4_K), ffn_down (first sixteenth Q5_K, else Q4_K), attn_output Q4_K, output Q6_K. */
    Q3_K_M(DType.Q3_K, 12),
    /** Q4_K with attn_v, ffn_down on the use_more_bits layers and the output in Q6_K. */
    Q4_K_M(DType.Q4_K, 15),
    /** Q5_K with attn_v, ffn_down on the use_more_bits layers and the output in Q6_K. */
    Q5_K_M(DType.Q5_K, 17),
    Q6_K(DType.Q6_K, 18),
    /** IQ4_NL throughout (32-value blocks over 16 non-uniform levels), with llama.cpp's IQ4 rules for attn_v and ffn_down. */
    IQ4_NL(DType.IQ4_NL, 25),
    /** IQ4_XS (4.25 bits: IQ4_NL levels, 256-value blocks with 6-bit sub-block scales), with the same IQ4 rules. */
    IQ4_XS(DType.IQ4_XS, 30);

    private final DType base;
    private final int ftype;

    QuantType(DType base, int ftype) {
        this.base = base;
        this.ftype = ftype;
    }

    public DType base() {
        return base;
    }

    public int llamaFtype() {
        return ftype;
    }

    public boolean isQuantized() {
        return base.isQuantized();
    }

    /** "q4_k_m", "Q8_0", "bf16", ... */
    public static QuantType parse(String s) {
        for (QuantType t : values()) if (t.name().equalsIgnoreCase(s.trim())) return t;
        throw new IllegalArgumentException("unknown quantization type '" + s + "' (supported: "
                + String.join(", ", Arrays.stream(values()).map(t -> t.name().toLowerCase(Locale.ROOT)).toList()) + ")");
    }
}
