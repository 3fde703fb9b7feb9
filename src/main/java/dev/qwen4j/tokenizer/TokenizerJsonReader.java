package dev.qwen4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a Hugging Face {@code tokenizer.json} describing a byte-level BPE tokenizer.
 *
 * <p>The 151k-entry vocabulary and merge list are scanned straight from the file's bytes into pooled byte
 * buffers (a JSON tree or a string per entry would take several times longer on a cold JVM); the small sections
 * are parsed as trees. Features of the format that this engine does not implement are rejected by name rather
 * than silently mis-tokenized.
 */
final class TokenizerJsonReader {
    private final Path file;
    private final JsonFields fields;
    /** The dotted path of the value being read, named in errors. */
    private String location;

    // Collected while scanning; the small sections stay as trees until everything has been read.
    private Object addedTokensNode;
    private Object normalizerNode;
    private Object preTokenizerNode;
    private Object decoderNode;
    private Map<String, Object> modelOptions;
    private Vocabulary vocab;
    private MergeRuleList mergeRules;

    private TokenizerJsonReader(Path file) {
        this.file = file;
        this.fields = new JsonFields(file);
    }

    /** @param config the model's {@code tokenizer_config.json}, or null */
    static Tokenizer read(Path file, TokenizerConfig config) {
        TokenizerJsonReader reader = new TokenizerJsonReader(file);
        reader.parse();
        return reader.build(config);
    }

    private void parse() {
        byte[] bytes = TokenizerException.readFile(file);
        JsonScanner json = new JsonScanner(bytes);
        try {
            if (json.atEnd()) {
                throw fields.error(null, "the file is empty");
            }
            json.expect('{');
            if (!json.consumeIf('}')) {
                do {
                    location = null;
                    String name = json.readString();
                    json.expect(':');
                    location = name;
                    switch (name) {
                        case "model" -> readModel(json);
                        case "added_tokens" -> addedTokensNode = json.readValue();
                        case "normalizer" -> normalizerNode = json.readValue();
                        case "pre_tokenizer" -> preTokenizerNode = json.readValue();
                        case "decoder" -> decoderNode = json.readValue();
                        default -> json.skipValue();
                    }
                    location = null;
                } while (json.consumeIf(','));
                json.expect('}');
            }
            if (!json.atEnd()) {
                throw json.malformed("unexpected content after the top-level object");
            }
        } catch (JsonScanner.MalformedJsonException e) {
            String problem = e.truncated() ? "truncated JSON: the file ends inside this field" : e.getMessage();
            throw new TokenizerException(file, location, problem, e);
        }
    }

    private void readModel(JsonScanner json) {
        if (json.peek() != '{') {
            throw fields.error("model", "expected an object");
        }
        modelOptions = new LinkedHashMap<>();
        json.expect('{');
        if (json.consumeIf('}')) {
            return;
        }
        do {
            location = "model";
            String name = json.readString();
            json.expect(':');
            location = "model." + name;
            switch (name) {
                case "vocab" -> readVocab(json);
                case "merges" -> readMerges(json);
                default -> modelOptions.put(name, json.readValue());
            }
        } while (json.consumeIf(','));
        location = "model";
        json.expect('}');
    }

    private void readVocab(JsonScanner json) {
        if (json.peek() != '{') {
            throw fields.error("model.vocab", "expected an object of token: id");
        }
        Vocabulary.Builder builder = new Vocabulary.Builder();
        GrowableBytes token = new GrowableBytes(64);
        json.expect('{');
        if (!json.consumeIf('}')) {
            do {
                token.truncate(0);
                json.readString(token);
                json.expect(':');
                long id = json.readInteger();
                if (id < 0 || id > Vocabulary.MAX_ID) {
                    String text = new String(token.array(), 0, token.size(), StandardCharsets.UTF_8);
                    throw fields.error("model.vocab." + text, "id " + id + " outside 0.." + Vocabulary.MAX_ID);
                }
                builder.add(token.array(), 0, token.size(), (int) id);
            } while (json.consumeIf(','));
            json.expect('}');
        }
        vocab = builder.build();
    }

    /** Accepts both forms: {@code [["Ġ","t"], ...]} (tokenizers ≥ 0.20) and the older {@code ["Ġ t", ...]}. */
    private void readMerges(JsonScanner json) {
        if (json.peek() != '[') {
            throw fields.error("model.merges", "expected an array");
        }
        MergeRuleList rules = new MergeRuleList();
        GrowableBytes parts = new GrowableBytes(64);
        json.expect('[');
        if (!json.consumeIf(']')) {
            do {
                parts.truncate(0);
                int first = json.peek();
                if (first == '"') {
                    json.readString(parts);
                    if (!rules.addSpaceSeparated(parts.array(), 0, parts.size())) {
                        throw fields.error("model.merges." + rules.size(), "expected \"left right\", found \""
                                + new String(parts.array(), 0, parts.size(), StandardCharsets.UTF_8) + "\"");
                    }
                } else if (first == '[') {
                    json.expect('[');
                    json.readString(parts);
                    int leftLength = parts.size();
                    json.expect(',');
                    json.readString(parts);
                    json.expect(']');
                    rules.add(parts.array(), 0, leftLength, parts.array(), leftLength, parts.size() - leftLength);
                } else {
                    throw fields.error("model.merges." + rules.size(),
                            "expected a pair of strings or a \"left right\" string");
                }
            } while (json.consumeIf(','));
            json.expect(']');
        }
        mergeRules = rules;
    }

    private Tokenizer build(TokenizerConfig config) {
        if (modelOptions == null) {
            throw fields.error("model", "missing");
        }
        String modelType = fields.optionalString(modelOptions, "type", "model.type");
        if (modelType != null && !modelType.equals("BPE")) {
            throw fields.error("model.type", "only BPE models are supported, found " + modelType);
        }
        if (vocab == null) {
            throw fields.error("model.vocab", "missing");
        }
        if (mergeRules == null) {
            throw fields.error("model.merges", "missing");
        }
        rejectUnsupportedModelOptions();
        MergeTable merges = mergeRules.resolve(vocab, file, "model.merges");
        BytePairEncoder encoder = new BytePairEncoder(vocab, merges, resolveUnknownToken(),
                fields.optionalBoolean(modelOptions, "fuse_unk", "model.fuse_unk", false),
                fields.optionalBoolean(modelOptions, "ignore_merges", "model.ignore_merges", false));

        Map<Integer, AddedToken> addedTokens = readAddedTokens();
        if (config != null) {
            config.mergeAddedTokensInto(addedTokens, vocab);
        }
        requireByteLevelDecoder();
        return new Tokenizer(vocab, encoder, List.copyOf(addedTokens.values()), readNormalizer(),
                readPreTokenizer(), config == null ? TokenizerConfig.SpecialTokenNames.NONE : config.names());
    }

    private void rejectUnsupportedModelOptions() {
        if (fields.optionalBoolean(modelOptions, "byte_fallback", "model.byte_fallback", false)) {
            throw fields.error("model.byte_fallback", "byte fallback (SentencePiece-style BPE) is not supported");
        }
        Object dropout = fields.optional(modelOptions, "dropout");
        if (dropout != null && !(dropout instanceof Number rate && rate.doubleValue() == 0.0)) {
            throw fields.error("model.dropout", "BPE dropout is for training only and is not supported");
        }
        String prefix = fields.optionalString(modelOptions, "continuing_subword_prefix", "model.continuing_subword_prefix");
        if (prefix != null && !prefix.isEmpty()) {
            throw fields.error("model.continuing_subword_prefix", "subword prefixes are not supported");
        }
        String suffix = fields.optionalString(modelOptions, "end_of_word_suffix", "model.end_of_word_suffix");
        if (suffix != null && !suffix.isEmpty()) {
            throw fields.error("model.end_of_word_suffix", "end-of-word suffixes are not supported");
        }
    }

    private int resolveUnknownToken() {
        String unknown = fields.optionalString(modelOptions, "unk_token", "model.unk_token");
        if (unknown == null) {
            return -1;
        }
        int id = vocab.find(unknown);
        if (id < 0) {
            throw fields.error("model.unk_token", "\"" + unknown + "\" is not in model.vocab");
        }
        return id;
    }

    private Map<Integer, AddedToken> readAddedTokens() {
        Map<Integer, AddedToken> tokens = new LinkedHashMap<>();
        if (addedTokensNode == null) {
            return tokens;
        }
        List<Object> list = fields.array(addedTokensNode, "added_tokens");
        for (int i = 0; i < list.size(); i++) {
            AddedToken token = readAddedToken(fields, list.get(i), "added_tokens." + i, null);
            tokens.put(token.id(), token);
        }
        return tokens;
    }

    /**
     * Reads one added token object (the same shape in {@code tokenizer.json} and {@code tokenizer_config.json}).
     *
     * @param knownId the id when the enclosing structure gives it, or null to read an {@code id} field
     */
    static AddedToken readAddedToken(JsonFields fields, Object value, String path, Integer knownId) {
        Map<String, Object> node = fields.object(value, path);
        int id = knownId != null ? knownId : fields.requiredInt(node, "id", path + ".id");
        if (id < 0 || id > Vocabulary.MAX_ID) {
            throw fields.error(path + ".id", "id " + id + " outside 0.." + Vocabulary.MAX_ID);
        }
        String content = fields.requiredString(node, "content", path + ".content");
        if (content.isEmpty()) {
            throw fields.error(path + ".content", "empty token");
        }
        boolean special = fields.optionalBoolean(node, "special", path + ".special", false);
        return new AddedToken(id, content, special,
                fields.optionalBoolean(node, "single_word", path + ".single_word", false),
                fields.optionalBoolean(node, "lstrip", path + ".lstrip", false),
                fields.optionalBoolean(node, "rstrip", path + ".rstrip", false),
                fields.optionalBoolean(node, "normalized", path + ".normalized", !special));
    }

    private UnicodeNormalizer readNormalizer() {
        List<Normalizer.Form> forms = new ArrayList<>();
        if (normalizerNode != null) {
            collectNormalizationForms(normalizerNode, "normalizer", forms);
        }
        return forms.isEmpty() ? UnicodeNormalizer.NONE : new UnicodeNormalizer(forms);
    }

    private void collectNormalizationForms(Object value, String path, List<Normalizer.Form> forms) {
        Map<String, Object> node = fields.object(value, path);
        String type = fields.requiredString(node, "type", path + ".type");
        switch (type) {
            case "NFC" -> forms.add(Normalizer.Form.NFC);
            case "NFD" -> forms.add(Normalizer.Form.NFD);
            case "NFKC" -> forms.add(Normalizer.Form.NFKC);
            case "NFKD" -> forms.add(Normalizer.Form.NFKD);
            case "Sequence" -> {
                List<Object> list = fields.array(fields.required(node, "normalizers", path + ".normalizers"),
                        path + ".normalizers");
                for (int i = 0; i < list.size(); i++) {
                    collectNormalizationForms(list.get(i), path + ".normalizers." + i, forms);
                }
            }
            default -> throw fields.error(path + ".type", "normalizer \"" + type + "\" is not supported"
                    + " (supported: NFC, NFD, NFKC, NFKD, Sequence)");
        }
    }

    private PreTokenizer readPreTokenizer() {
        List<Pattern> patterns = new ArrayList<>();
        if (preTokenizerNode == null || !collectSplitPatterns(preTokenizerNode, "pre_tokenizer", patterns)) {
            throw fields.error("pre_tokenizer", "no ByteLevel pre-tokenizer: only byte-level BPE is supported");
        }
        return new PreTokenizer(patterns);
    }

    /** Adds the regexes of a pre-tokenizer (tree) in order; returns whether it contains a ByteLevel step. */
    private boolean collectSplitPatterns(Object value, String path, List<Pattern> patterns) {
        Map<String, Object> node = fields.object(value, path);
        String type = fields.requiredString(node, "type", path + ".type");
        switch (type) {
            case "Sequence" -> {
                List<Object> list = fields.array(fields.required(node, "pretokenizers", path + ".pretokenizers"),
                        path + ".pretokenizers");
                boolean byteLevel = false;
                for (int i = 0; i < list.size(); i++) {
                    byteLevel |= collectSplitPatterns(list.get(i), path + ".pretokenizers." + i, patterns);
                }
                return byteLevel;
            }
            case "Split" -> {
                patterns.add(readSplit(node, path));
                return false;
            }
            case "ByteLevel" -> {
                if (fields.optionalBoolean(node, "add_prefix_space", path + ".add_prefix_space", false)) {
                    throw fields.error(path + ".add_prefix_space", "add_prefix_space=true is not supported");
                }
                // The reference defaults use_regex to true when the field is absent.
                if (fields.optionalBoolean(node, "use_regex", path + ".use_regex", true)) {
                    patterns.add(OnigurumaRegex.compile(PreTokenizer.GPT2_PATTERN));
                }
                return true;
            }
            default -> throw fields.error(path + ".type", "pre-tokenizer \"" + type + "\" is not supported"
                    + " (supported: Sequence, Split, ByteLevel)");
        }
    }

    private Pattern readSplit(Map<String, Object> node, String path) {
        String behavior = fields.requiredString(node, "behavior", path + ".behavior");
        // With Isolated, matches and the text between them all become pieces, so "invert" changes nothing.
        if (!behavior.equals("Isolated")) {
            throw fields.error(path + ".behavior", "split behavior \"" + behavior + "\" is not supported"
                    + " (supported: Isolated)");
        }
        Map<String, Object> pattern = fields.object(fields.required(node, "pattern", path + ".pattern"),
                path + ".pattern");
        String regex = fields.optionalString(pattern, "Regex", path + ".pattern.Regex");
        if (regex != null) {
            try {
                return OnigurumaRegex.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new TokenizerException(file, path + ".pattern.Regex",
                        "cannot translate the regex: " + e.getDescription() + " at index " + e.getIndex(), e);
            }
        }
        String literal = fields.optionalString(pattern, "String", path + ".pattern.String");
        if (literal != null) {
            return Pattern.compile(Pattern.quote(literal));
        }
        throw fields.error(path + ".pattern", "expected {\"Regex\": ...} or {\"String\": ...}");
    }

    private void requireByteLevelDecoder() {
        if (decoderNode == null) {
            throw fields.error("decoder", "missing: a ByteLevel decoder is required");
        }
        Map<String, Object> decoder = fields.object(decoderNode, "decoder");
        String type = fields.requiredString(decoder, "type", "decoder.type");
        if (!type.equals("ByteLevel")) {
            throw fields.error("decoder.type", "decoder \"" + type + "\" is not supported (supported: ByteLevel)");
        }
    }
}
