package dev.qwen4j.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small {@code tokenizer.json} files shaped like Qwen3's: a vocabulary of the 256 single-byte tokens
 * (ids 0..255) plus one token per merge (ids 256, 257, ... in merge order), NFC, the Qwen2 split regex and
 * the ByteLevel steps. Tests tweak the tree before writing it.
 */
final class SyntheticTokenizer {
    final Map<String, Object> root = new LinkedHashMap<>();
    final Map<String, Object> model = new LinkedHashMap<>();
    final Map<String, Object> vocab = new LinkedHashMap<>();
    final List<Object> merges = new ArrayList<>();
    final List<Object> addedTokens = new ArrayList<>();

    /** @param byteLevelMerges merges in byte-level text, e.g. {@code "Ġ w"}, highest priority first */
    SyntheticTokenizer(String... byteLevelMerges) {
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteLevelAlphabet.charOf(b)), b);
        }
        for (String merge : byteLevelMerges) {
            String[] parts = merge.split(" ");
            merges.add(List.of(parts[0], parts[1]));
            vocab.putIfAbsent(parts[0] + parts[1], vocab.size());
        }
        root.put("version", "1.0");
        root.put("added_tokens", addedTokens);
        root.put("normalizer", Map.of("type", "NFC"));
        root.put("pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(
                Map.of("type", "Split", "pattern", Map.of("Regex", PreTokenizer.QWEN2_PATTERN),
                        "behavior", "Isolated", "invert", false),
                Map.of("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", false, "use_regex", false))));
        root.put("decoder", Map.of("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", false,
                "use_regex", false));
        model.put("type", "BPE");
        model.put("vocab", vocab);
        model.put("merges", merges);
        root.put("model", model);
    }

    int id(String byteLevelToken) {
        return (Integer) vocab.get(byteLevelToken);
    }

    SyntheticTokenizer addedToken(int id, String content, boolean special, boolean singleWord, boolean leftStrip,
                                  boolean rightStrip, boolean normalized) {
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("id", id);
        token.put("content", content);
        token.put("single_word", singleWord);
        token.put("lstrip", leftStrip);
        token.put("rstrip", rightStrip);
        token.put("normalized", normalized);
        token.put("special", special);
        addedTokens.add(token);
        return this;
    }

    SyntheticTokenizer literalToken(int id, String content, boolean special) {
        return addedToken(id, content, special, false, false, false, false);
    }

    Path write(Path file) {
        try {
            new ObjectMapper().writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    Tokenizer load(Path dir) {
        return Tokenizer.fromFile(write(dir.resolve("tokenizer.json")));
    }
}
