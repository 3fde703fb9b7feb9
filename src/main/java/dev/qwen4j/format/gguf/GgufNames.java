package dev.qwen4j.format.gguf;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hugging Face ↔ llama.cpp tensor names for the qwen3 / qwen3moe architectures (spec §9): token_embd,
 * output_norm, output, and per layer blk.N.attn_* / ffn_*. MoE experts are stacked in GGUF into one 3-D
 * tensor per projection (ffn_gate_exps, ffn_up_exps, ffn_down_exps; ne = [cols, rows, experts]).
 */
public final class GgufNames {
    private GgufNames() {}

    /** A GGUF tensor name and, for a stacked expert tensor, which expert (−1 otherwise). */
    public record Target(String name, int expert) {}

    private static final Map<String, String> LAYER = Map.ofEntries(
            Map.entry("input_layernorm", "attn_norm"),
            Map.entry("self_attn.q_proj", "attn_q"),
            Map.entry("self_attn.k_proj", "attn_k"),
            Map.entry("self_attn.v_proj", "attn_v"),
            Map.entry("self_attn.o_proj", "attn_output"),
            Map.entry("self_attn.q_norm", "attn_q_norm"),
            Map.entry("self_attn.k_norm", "attn_k_norm"),
            Map.entry("post_attention_layernorm", "ffn_norm"),
            Map.entry("mlp.gate_proj", "ffn_gate"),
            Map.entry("mlp.up_proj", "ffn_up"),
            Map.entry("mlp.down_proj", "ffn_down"),
            Map.entry("mlp.gate", "ffn_gate_inp"));

    private static final Map<String, String> EXPERT = Map.of(
            "gate_proj", "ffn_gate_exps", "up_proj", "ffn_up_exps", "down_proj", "ffn_down_exps");

    private static final Pattern HF_LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)\\.(weight|bias)");
    private static final Pattern HF_EXPERT = Pattern.compile("model\\.layers\\.(\\d+)\\.mlp\\.experts\\.(\\d+)\\.(\\w+)\\.weight");
    private static final Pattern GGUF_LAYER = Pattern.compile("blk\\.(\\d+)\\.(\\w+)\\.(weight|bias)");

    /** The GGUF name of a Hugging Face tensor, or null when the architecture has no such tensor. */
    public static Target toGguf(String hf) {
        switch (hf) {
            case "model.embed_tokens.weight": return new Target("token_embd.weight", -1);
            case "model.norm.weight": return new Target("output_norm.weight", -1);
            case "lm_head.weight": return new Target("output.weight", -1);
            default: break;
        }
        Matcher e = HF_EXPERT.matcher(hf);
        if (e.matches()) {
            String g = EXPERT.get(e.group(3));
            return g == null ? null : new Target("blk." + e.group(1) + "." + g + ".weight", Integer.parseInt(e.group(2)));
        }
        Matcher m = HF_LAYER.matcher(hf);
        if (m.matches()) {
            String g = LAYER.get(m.group(2));
            return g == null ? null : new Target("blk." + m.group(1) + "." + g + "." + m.group(3), -1);
        }
        return null;
    }

    /**
     * The Hugging Face name of a GGUF tensor; for a stacked expert tensor, of the given expert's slice.
     * Returns null for names outside the map.
     */
    public static String toHf(String gguf, int expert) {
        switch (gguf) {
            case "token_embd.weight": return "model.embed_tokens.weight";
            case "output_norm.weight": return "model.norm.weight";
            case "output.weight": return "lm_head.weight";
            default: break;
        }
        Matcher m = GGUF_LAYER.matcher(gguf);
        if (!m.matches()) return null;
        String layer = m.group(1), part = m.group(2), kind = m.group(3);
        for (Map.Entry<String, String> x : EXPERT.entrySet()) {
            if (x.getValue().equals(part)) return "model.layers." + layer + ".mlp.experts." + expert + "." + x.getKey() + ".weight";
        }
        for (Map.Entry<String, String> x : LAYER.entrySet()) {
            if (x.getValue().equals(part)) return "model.layers." + layer + "." + x.getKey() + "." + kind;
        }
        return null;
    }

    public static boolean isStackedExperts(String gguf) {
        return gguf.endsWith("_exps.weight");
    }
}
