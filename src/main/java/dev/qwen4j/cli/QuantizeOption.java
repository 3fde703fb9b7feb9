package dev.qwen4j.cli;

import dev.qwen4j.format.quant.QuantType;
import picocli.CommandLine.Option;

/** --quantize TYPE: re-encode the weights in memory at load time (same rules as `qwen4j quantize`). */
public final class QuantizeOption {
    @Option(names = "--quantize", paramLabel = "TYPE",
            description = "Quantize the weights in memory when loading: q8_0, q6_k, q5_k_m, q5_0, q4_k_m, q4_0, iq4_xs, iq4_nl, q3_k_m, bf16, f16 or f32.")
    String type;

    /** The parsed type, or null when the option is absent. */
    public QuantType type() {
        if (type == null) return null;
        try {
            return QuantType.parse(type);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--quantize: " + e.getMessage());
        }
    }
}
