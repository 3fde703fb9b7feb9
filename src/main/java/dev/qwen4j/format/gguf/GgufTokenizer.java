package dev.qwen4j.format.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qwen4j.format.ConfigReader;
import dev.qwen4j.format.Json;
import dev.qwen4j.format.ModelFormatException;
import dev.qwen4j.template.ChatTemplate;
import dev.qwen4j.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer and chat template stored in GGUF metadata (tokenizer.ggml.*, tokenizer.chat_template),
 * read into a {@link Tokenizer}, and written from a Hugging Face folder the way llama.cpp's converter
 * writes a Qwen2/Qwen3 byte-level BPE tokenizer.
 */
public final class GgufTokenizer {
    private GgufTokenizer() {}

    /** llama_token_type values. */
    static final int NORMAL = 1, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5;

    public static final String TOKENS = "tokenizer.ggml.tokens", MERGES = "tokenizer.ggml.merges",
            TYPES = "tokenizer.ggml.token_type", MODEL = "tokenizer.ggml.model", PRE = "tokenizer.ggml.pre",
            BOS = "tokenizer.ggml.bos_token_id", EOS = "tokenizer.ggml.eos_token_id", PAD = "tokenizer.ggml.padding_token_id",
            ADD_BOS = "tokenizer.ggml.add_bos_token", CHAT_TEMPLATE = "tokenizer.chat_template";

    /** tokenizer.ggml.model of a file written without a tokenizer (llama.cpp's LLAMA_VOCAB_TYPE_NONE). */
    static final String NONE = "none";

    public static Tokenizer read(GgufFile f) {
        GgufMetadata m = f.meta();
        String model = m.requireString(MODEL);
        if (model.equals(NONE) || model.equals("no_vocab")) throw m.error(MODEL, "is '" + model + "': the file has no tokenizer (weights only)");
        if (!model.equals("gpt2")) throw m.error(MODEL, "'" + model + "' is not supported (supported: gpt2 byte-level BPE)");
        String pre = m.optString(PRE, "qwen2");
        if (!pre.equals("qwen2")) throw m.error(PRE, "'" + pre + "' is not supported (supported: qwen2)");
        List<String> tokens = m.requireStrings(TOKENS);
        List<String> merges = m.has(MERGES) ? m.requireStrings(MERGES) : List.of();
        Map<Integer, Boolean> added = new LinkedHashMap<>();
        if (m.has(TYPES)) {
            int[] types = m.requireInts(TYPES);
            if (types.length != tokens.size()) {
                throw m.error(TYPES, "has " + types.length + " entries for " + tokens.size() + " tokens");
            }
            // control tokens are special (dropped by skip_special_tokens); user-defined ones are not
            for (int i = 0; i < types.length; i++) {
                if (types[i] == CONTROL) added.put(i, true);
                else if (types[i] == USER_DEFINED) added.put(i, false);
            }
        }
        return Tokenizer.fromVocab(tokens, merges, added, text(m, tokens, BOS), text(m, tokens, EOS), text(m, tokens, PAD));
    }

    private static String text(GgufMetadata m, List<String> tokens, String key) {
        if (!m.has(key)) return null;
        int id = m.requireInt(key);
        if (id < 0 || id >= tokens.size()) throw m.error(key, "id " + id + " is outside the vocabulary of " + tokens.size());
        return tokens.get(id);
    }

    /** The chat template, with eos_token/bos_token/pad_token as default variables like transformers passes. */
    public static ChatTemplate chatTemplate(GgufFile f) {
        GgufMetadata m = f.meta();
        if (!m.has(CHAT_TEMPLATE)) return null;
        List<String> tokens = m.has(TOKENS) ? m.requireStrings(TOKENS) : List.of();
        Map<String, Object> vars = new HashMap<>();
        for (String[] kv : new String[][] {{"bos_token", BOS}, {"eos_token", EOS}, {"pad_token", PAD}}) {
            if (!tokens.isEmpty() && m.has(kv[1])) vars.put(kv[0], text(m, tokens, kv[1]));
        }
        return new ChatTemplate(m.requireString(CHAT_TEMPLATE), vars, Clock.systemDefaultZone());
    }

    /**
     * The tokenizer metadata for a Hugging Face folder (tokenizer.json, tokenizer_config.json, config.json,
     * chat template): vocabulary padded to vocab_size with [PADn] tokens, added tokens typed control (special, or
     * spelled like a control token, as llama.cpp's converter does) or user-defined, merges as "left right".
     */
    public static Map<String, GgufValue> fromModelDir(Path dir, ConfigReader config, ChatTemplate template) {
        Path tj = dir.resolve("tokenizer.json");
        JsonNode root = Json.read(tj);
        JsonNode model = root.get("model");
        if (model == null || !"BPE".equals(model.path("type").asText("BPE")) || !model.has("vocab")) {
            throw new ModelFormatException(tj + ": expected a BPE model with a vocab");
        }
        Map<Integer, String> byId = new HashMap<>();
        Map<Integer, Integer> types = new HashMap<>();
        model.get("vocab").fields().forEachRemaining(e -> byId.put(e.getValue().asInt(), e.getKey()));
        for (JsonNode a : root.path("added_tokens")) {
            int id = a.get("id").asInt();
            byId.put(id, a.get("content").asText());
            String content = a.get("content").asText();
            types.put(id, a.path("special").asBoolean(false) || looksSpecial(content) ? CONTROL : USER_DEFINED);
        }
        int maxId = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
        int size = Math.max(maxId + 1, config.optInt("vocab_size", 0));
        List<String> tokens = new ArrayList<>(size);
        int[] tokenTypes = new int[size];
        for (int i = 0; i < size; i++) {
            String t = byId.get(i);
            tokens.add(t != null ? t : "[PAD" + i + "]");
            tokenTypes[i] = t == null ? UNUSED : types.getOrDefault(i, NORMAL);
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode mg : model.path("merges")) {
            merges.add(mg.isArray() ? mg.get(0).asText() + " " + mg.get(1).asText() : mg.asText());
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(MODEL, GgufValue.string("gpt2"));
        m.put(PRE, GgufValue.string("qwen2"));
        m.put(TOKENS, GgufValue.strings(tokens));
        m.put(TYPES, GgufValue.int32s(tokenTypes));
        m.put(MERGES, GgufValue.strings(merges));
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < size; i++) ids.putIfAbsent(tokens.get(i), i);
        Path tc = dir.resolve("tokenizer_config.json");
        ConfigReader tcfg = Files.isRegularFile(tc) ? ConfigReader.of(tc) : null;
        Integer eos = tokenId(tcfg, "eos_token", ids);
        if (eos == null && config.has("eos_token_id") && config.node().get("eos_token_id").isInt()) eos = config.requireInt("eos_token_id");
        Integer pad = tokenId(tcfg, "pad_token", ids);
        Integer bos = tokenId(tcfg, "bos_token", ids);
        if (bos == null && config.has("bos_token_id") && config.node().get("bos_token_id").isInt()) bos = config.requireInt("bos_token_id");
        if (eos != null) m.put(EOS, GgufValue.uint32(eos));
        if (pad != null) m.put(PAD, GgufValue.uint32(pad));
        if (bos != null) m.put(BOS, GgufValue.uint32(bos));
        m.put(ADD_BOS, GgufValue.bool(false));
        if (template != null) m.put(CHAT_TEMPLATE, GgufValue.string(template.source()));
        return m;
    }

    /**
     * convert_hf_to_gguf.py's does_token_look_special: an added token spelled like a control token is typed
     * control even when tokenizer.json does not mark it special (Qwen's &lt;|fim_prefix|&gt;, &lt;|repo_name|&gt;,
     * &lt;|file_sep|&gt;, …); llama.cpp warns "control-looking token … was not control-type" otherwise.
     */
    static boolean looksSpecial(String t) {
        return t.equals("<pad>") || t.equals("<mask>") || t.equals("<2mass>") || t.equals("[@BOS@]")
                || (t.startsWith("<|") && t.endsWith("|>")) || (t.startsWith("<\uff5c") && t.endsWith("\uff5c>"))
                || (t.startsWith("<unused") && t.endsWith(">"));
    }

    /** The tokenizer keys of a file without a tokenizer: model "none" and the architecture's vocab_size. */
    public static Map<String, GgufValue> weightsOnly(ConfigReader config) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(MODEL, GgufValue.string(NONE));
        String arch = GgufModelConfig.architectureOf(config.requireString("model_type"));
        if (arch != null && config.has("vocab_size")) m.put(arch + ".vocab_size", GgufValue.uint32(config.requireInt("vocab_size")));
        return m;
    }

    private static Integer tokenId(ConfigReader tcfg, String key, Map<String, Integer> ids) {
        if (tcfg == null || !tcfg.has(key)) return null;
        JsonNode v = tcfg.node().get(key);
        String text = v.isTextual() ? v.asText() : v.path("content").asText(null);
        return text == null ? null : ids.get(text);
    }
}
