package dev.qwen4j.format.gguf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.ModelFormatException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GGUF hyper-parameter metadata ↔ a Hugging Face config.json object, for the qwen3 and qwen3moe
 * architectures. Reading builds the JSON a model folder would carry, so {@code Qwen3Config.read} is the
 * one place that validates it; writing emits the keys llama.cpp's loader reads.
 */
public final class GgufModelConfig {
    private GgufModelConfig() {}

    /** GGUF general.architecture ↔ HF model_type. */
    private static final Map<String, String> ARCH_TO_TYPE = Map.of("qwen3", "qwen3", "qwen3moe", "qwen3_moe");

    public static String architectureOf(String modelType) {
        for (var e : ARCH_TO_TYPE.entrySet()) if (e.getValue().equals(modelType)) return e.getKey();
        return null;
    }

    /** The config.json equivalent of the file's metadata (errors name the file and key). */
    public static ConfigReader toConfig(GgufFile f) {
        return toConfig(f, f.tensors());
    }

    /**
     * The same for a model whose tensors may lie in several files (a split model: f is its first part, which
     * holds the metadata, and tensors those of all parts; whether output.weight exists decides tied embeddings).
     */
    public static ConfigReader toConfig(GgufFile f, java.util.List<GgufTensor> tensors) {
        GgufMetadata m = f.meta();
        String arch = m.requireString("general.architecture");
        String type = ARCH_TO_TYPE.get(arch);
        if (type == null) {
            throw new ModelFormatException(f.path() + ": GGUF architecture '" + arch + "' is not supported (supported: "
                    + new java.util.TreeSet<>(ARCH_TO_TYPE.keySet()) + ")");
        }
        String p = arch + ".";
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("model_type", type);
        int layers = m.requireInt(p + "block_count");
        int hidden = m.requireInt(p + "embedding_length");
        int heads = m.requireInt(p + "attention.head_count");
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", m.optInt(p + "attention.head_count_kv", heads));
        c.put("head_dim", m.optInt(p + "attention.key_length", hidden / heads));
        c.put("rms_norm_eps", m.requireDouble(p + "attention.layer_norm_rms_epsilon"));
        c.put("max_position_embeddings", m.optInt(p + "context_length", 40960));
        c.put("rope_theta", m.optDouble(p + "rope.freq_base", 10000.0));
        if (m.has(p + "rope.scaling.type") && !m.requireString(p + "rope.scaling.type").equals("none")) {
            ObjectNode s = c.putObject("rope_scaling");
            s.put("rope_type", m.requireString(p + "rope.scaling.type"));
            s.put("factor", m.requireDouble(p + "rope.scaling.factor"));
            if (m.has(p + "rope.scaling.original_context_length")) {
                s.put("original_max_position_embeddings", m.requireInt(p + "rope.scaling.original_context_length"));
            }
        }
        GgufTensor embd = find(tensors, "token_embd.weight");
        if (embd == null) throw new ModelFormatException(f.path() + ": missing tensor 'token_embd.weight'");
        c.put("vocab_size", m.optInt(p + "vocab_size", Math.toIntExact(embd.ne()[embd.ne().length - 1])));
        c.put("tie_word_embeddings", find(tensors, "output.weight") == null);
        if (m.has(p + "feed_forward_length")) c.put("intermediate_size", m.requireInt(p + "feed_forward_length"));
        if (type.equals("qwen3_moe")) {
            c.put("num_experts", m.requireInt(p + "expert_count"));
            c.put("num_experts_per_tok", m.requireInt(p + "expert_used_count"));
            c.put("moe_intermediate_size", m.requireInt(p + "expert_feed_forward_length"));
            // llama.cpp's qwen3moe graph always renormalizes the selected experts' weights
            c.put("norm_topk_prob", m.optBool(p + "expert_weights_norm", true));
            c.put("decoder_sparse_step", 1);
            ArrayNode dense = c.putArray("mlp_only_layers");
            for (int i = 0; i < layers; i++) if (find(tensors, "blk." + i + ".ffn_gate_inp.weight") == null) dense.add(i);
        }
        return new ConfigReader(f.path(), c);
    }

    private static GgufTensor find(java.util.List<GgufTensor> tensors, String name) {
        for (GgufTensor t : tensors) if (t.name().equals(name)) return t;
        return null;
    }

    /** llama.cpp's hyper-parameter keys for an HF config (model_type qwen3 or qwen3_moe). */
    public static Map<String, GgufValue> fromConfig(ConfigReader c) {
        String type = c.requireString("model_type");
        String arch = architectureOf(type);
        if (arch == null) throw c.error("model_type", "'" + type + "' cannot be written as GGUF (supported: qwen3, qwen3_moe)");
        String p = arch + ".";
        int hidden = c.requireInt("hidden_size");
        int heads = c.requireInt("num_attention_heads");
        int headDim = c.has("head_dim") ? c.requireInt("head_dim") : hidden / heads;
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string(arch));
        m.put(p + "block_count", GgufValue.uint32(c.requireInt("num_hidden_layers")));
        m.put(p + "context_length", GgufValue.uint32(c.optInt("max_position_embeddings", 40960)));
        m.put(p + "embedding_length", GgufValue.uint32(hidden));
        if (c.has("intermediate_size")) m.put(p + "feed_forward_length", GgufValue.uint32(c.requireInt("intermediate_size")));
        m.put(p + "attention.head_count", GgufValue.uint32(heads));
        m.put(p + "attention.head_count_kv", GgufValue.uint32(c.optInt("num_key_value_heads", heads)));
        m.put(p + "rope.freq_base", GgufValue.float32((float) c.optDouble("rope_theta", 1_000_000.0)));
        m.put(p + "attention.layer_norm_rms_epsilon", GgufValue.float32((float) c.optDouble("rms_norm_eps", 1e-6)));
        m.put(p + "attention.key_length", GgufValue.uint32(headDim));
        m.put(p + "attention.value_length", GgufValue.uint32(headDim));
        ConfigReader scaling = c.child("rope_scaling");
        if (scaling != null && scaling.optString("rope_type", scaling.optString("type", "default")).equals("yarn")) {
            m.put(p + "rope.scaling.type", GgufValue.string("yarn"));
            m.put(p + "rope.scaling.factor", GgufValue.float32((float) scaling.requireDouble("factor")));
            if (scaling.has("original_max_position_embeddings")) {
                m.put(p + "rope.scaling.original_context_length", GgufValue.uint32(scaling.requireInt("original_max_position_embeddings")));
            }
        }
        if (type.equals("qwen3_moe")) {
            m.put(p + "expert_count", GgufValue.uint32(c.requireInt("num_experts")));
            m.put(p + "expert_used_count", GgufValue.uint32(c.requireInt("num_experts_per_tok")));
            m.put(p + "expert_feed_forward_length", GgufValue.uint32(c.requireInt("moe_intermediate_size")));
            m.put(p + "expert_weights_norm", GgufValue.bool(c.optBool("norm_topk_prob", false)));
        }
        return m;
    }
}
