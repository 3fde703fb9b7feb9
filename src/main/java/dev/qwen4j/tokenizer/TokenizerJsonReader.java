package dev.qwen4j.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a Hugging Face {@code tokenizer.json} describing a byte-level BPE tokenizer.
 *
 * <p>The 151k-entry vocabulary and merge list are streamed token by token (a JSON tree of them would take
 * several times longer to build and hundreds of MB); the small sections are read as trees. Features of the
 * format that this engine does not implement are rejected by name rather than silently mis-tokenized.
 */
final class TokenizerJsonReader {
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            // Vocabulary entries are unique strings: interning them as field names would only cost time.
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build());

    private final Path file;
    private final JsonFields fields;

    // Collected while streaming; the small sections stay as trees until everything has been read.
    private JsonNode addedTokensNode;
    private JsonNode normalizerNode;
    private JsonNode preTokenizerNode;
    private JsonNode decoderNode;
    private boolean sawModel;
    private String modelType;
    private Map<String, Integer> vocab;
    private List<String> mergeLefts;
    private List<String> mergeRights;
    private JsonNode unknownTokenNode;
    private boolean fuseUnknown;
    private boolean ignoreMerges;
    private boolean byteFallback;
    private JsonNode dropoutNode;
    private String continuingSubwordPrefix;
    private String endOfWordSuffix;

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
        try (JsonParser parser = MAPPER.createParser(file.toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw fields.error(null, "not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                switch (name) {
                    case "model" -> readModel(parser);
                    case "added_tokens" -> addedTokensNode = parser.readValueAsTree();
                    case "normalizer" -> normalizerNode = parser.readValueAsTree();
                    case "pre_tokenizer" -> preTokenizerNode = parser.readValueAsTree();
                    case "decoder" -> decoderNode = parser.readValueAsTree();
                    default -> parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT) {
                throw fields.error(null, "malformed JSON: expected a field name, found " + parser.currentToken());
            }
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file, null, "file not found", e);
        } catch (JsonEOFException e) {
            throw new TokenizerException(file, fieldAt(e), "truncated JSON: the file ends inside this field", e);
        } catch (JsonProcessingException e) {
            throw new TokenizerException(file, fieldAt(e), "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new TokenizerException(file, null, "cannot read: " + e, e);
        }
    }

    /** The dotted path of the value the parser was in when it failed, e.g. {@code model.merges.1203}. */
    private static String fieldAt(JsonProcessingException e) {
        if (e.getProcessor() instanceof JsonParser parser) {
            String pointer = parser.getParsingContext().pathAsPointer().toString();
            return pointer.isEmpty() ? null : pointer.substring(1).replace('/', '.');
        }
        return null;
    }

    private void readModel(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw fields.error("model", "expected an object, found " + parser.currentToken());
        }
        sawModel = true;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "type" -> modelType = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                case "vocab" -> readVocab(parser);
                case "merges" -> readMerges(parser);
                case "unk_token" -> unknownTokenNode = parser.readValueAsTree();
                case "fuse_unk" -> fuseUnknown = value == JsonToken.VALUE_TRUE;
                case "ignore_merges" -> ignoreMerges = value == JsonToken.VALUE_TRUE;
                case "byte_fallback" -> byteFallback = value == JsonToken.VALUE_TRUE;
                case "dropout" -> dropoutNode = parser.readValueAsTree();
                case "continuing_subword_prefix" -> continuingSubwordPrefix = textOrNull(parser);
                case "end_of_word_suffix" -> endOfWordSuffix = textOrNull(parser);
                default -> parser.skipChildren();
            }
        }
    }

    private static String textOrNull(JsonParser parser) throws IOException {
        return parser.currentToken() == JsonToken.VALUE_STRING ? parser.getText() : null;
    }

    private void readVocab(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw fields.error("model.vocab", "expected an object of token: id, found " + parser.currentToken());
        }
        vocab = new HashMap<>(400_000);
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String token = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT || parser.getLongValue() < 0
                    || parser.getLongValue() > Integer.MAX_VALUE) {
                throw fields.error("model.vocab." + token, "expected a non-negative integer id, found "
                        + parser.getText());
            }
            vocab.put(token, parser.getIntValue());
        }
    }

    /** Accepts both forms: {@code [["Ġ","t"], ...]} (tokenizers ≥ 0.20) and the older {@code ["Ġ t", ...]}. */
    private void readMerges(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw fields.error("model.merges", "expected an array, found " + parser.currentToken());
        }
        mergeLefts = new ArrayList<>(200_000);
        mergeRights = new ArrayList<>(200_000);
        JsonToken element;
        while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
            String field = "model.merges." + mergeLefts.size();
            if (element == JsonToken.VALUE_STRING) {
                String merge = parser.getText();
                // Search from index 1 so that a left part starting with a space stays intact (GGUF does the same).
                int space = merge.indexOf(' ', 1);
                if (space < 0 || space == merge.length() - 1) {
                    throw fields.error(field, "expected \"left right\", found \"" + merge + "\"");
                }
                mergeLefts.add(merge.substring(0, space));
                mergeRights.add(merge.substring(space + 1));
            } else if (element == JsonToken.START_ARRAY) {
                String left = parser.nextToken() == JsonToken.VALUE_STRING ? parser.getText() : null;
                String right = parser.nextToken() == JsonToken.VALUE_STRING ? parser.getText() : null;
                if (left == null || right == null || parser.nextToken() != JsonToken.END_ARRAY) {
                    throw fields.error(field, "expected a pair of strings");
                }
                mergeLefts.add(left);
                mergeRights.add(right);
            } else {
                throw fields.error(field, "expected a pair of strings or a \"left right\" string, found " + element);
            }
        }
    }

    private Tokenizer build(TokenizerConfig config) {
        if (!sawModel) {
            throw fields.error("model", "missing");
        }
        if (modelType != null && !modelType.equals("BPE")) {
            throw fields.error("model.type", "only BPE models are supported, found " + modelType);
        }
        if (vocab == null) {
            throw fields.error("model.vocab", "missing");
        }
        if (mergeLefts == null) {
            throw fields.error("model.merges", "missing");
        }
        rejectUnsupportedModelOptions();
        int unknownId = resolveUnknownToken();
        MergeTable merges = buildMergeTable(vocab, mergeLefts, mergeRights, file, "model.merges");
        BytePairEncoder encoder = new BytePairEncoder(vocab, merges, unknownId, fuseUnknown, ignoreMerges);

        Map<Integer, AddedToken> addedTokens = readAddedTokens();
        if (config != null) {
            config.mergeAddedTokensInto(addedTokens, vocab);
        }
        requireByteLevelDecoder();
        return new Tokenizer(vocab, encoder, List.copyOf(addedTokens.values()), readNormalizer(),
                readPreTokenizer(), config == null ? TokenizerConfig.SpecialTokenNames.NONE : config.names());
    }

    private void rejectUnsupportedModelOptions() {
        if (byteFallback) {
            throw fields.error("model.byte_fallback", "byte fallback (SentencePiece-style BPE) is not supported");
        }
        if (dropoutNode != null && !dropoutNode.isNull() && dropoutNode.asDouble() != 0.0) {
            throw fields.error("model.dropout", "BPE dropout is for training only and is not supported");
        }
        if (continuingSubwordPrefix != null && !continuingSubwordPrefix.isEmpty()) {
            throw fields.error("model.continuing_subword_prefix", "subword prefixes are not supported");
        }
        if (endOfWordSuffix != null && !endOfWordSuffix.isEmpty()) {
            throw fields.error("model.end_of_word_suffix", "end-of-word suffixes are not supported");
        }
    }

    private int resolveUnknownToken() {
        if (unknownTokenNode == null || unknownTokenNode.isNull()) {
            return -1;
        }
        if (!unknownTokenNode.isTextual()) {
            throw fields.error("model.unk_token", "expected a string, found " + unknownTokenNode);
        }
        Integer id = vocab.get(unknownTokenNode.textValue());
        if (id == null) {
            throw fields.error("model.unk_token", "\"" + unknownTokenNode.textValue() + "\" is not in model.vocab");
        }
        return id;
    }

    /** Resolves merge rules to ids; shared with {@link Tokenizer#fromVocab}. */
    static MergeTable buildMergeTable(Map<String, Integer> vocab, List<String> lefts, List<String> rights,
                                      Path file, String field) {
        MergeTable table = new MergeTable(lefts.size());
        for (int rank = 0; rank < lefts.size(); rank++) {
            String left = lefts.get(rank);
            String right = rights.get(rank);
            Integer leftId = vocab.get(left);
            Integer rightId = vocab.get(right);
            Integer mergedId = vocab.get(left + right);
            if (leftId == null || rightId == null || mergedId == null) {
                String missing = leftId == null ? left : rightId == null ? right : left + right;
                throw new TokenizerException(file, field + "." + rank,
                        "merge \"" + left + " " + right + "\" uses \"" + missing + "\", which is not in the vocabulary");
            }
            table.put(leftId, rightId, rank, mergedId);
        }
        return table;
    }

    private Map<Integer, AddedToken> readAddedTokens() {
        Map<Integer, AddedToken> tokens = new LinkedHashMap<>();
        if (addedTokensNode == null || addedTokensNode.isNull()) {
            return tokens;
        }
        if (!addedTokensNode.isArray()) {
            throw fields.error("added_tokens", "expected an array");
        }
        for (int i = 0; i < addedTokensNode.size(); i++) {
            AddedToken token = readAddedToken(fields, addedTokensNode.get(i), "added_tokens." + i, null);
            tokens.put(token.id(), token);
        }
        return tokens;
    }

    /**
     * Reads one added token object (the same shape in {@code tokenizer.json} and {@code tokenizer_config.json}).
     *
     * @param knownId the id when the enclosing structure gives it, or null to read an {@code id} field
     */
    static AddedToken readAddedToken(JsonFields fields, JsonNode node, String path, Integer knownId) {
        if (!node.isObject()) {
            throw fields.error(path, "expected an object");
        }
        int id = knownId != null ? knownId : fields.requiredInt(node, "id", path + ".id");
        if (id < 0) {
            throw fields.error(path + ".id", "negative id " + id);
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
        if (normalizerNode != null && !normalizerNode.isNull()) {
            collectNormalizationForms(normalizerNode, "normalizer", forms);
        }
        return forms.isEmpty() ? UnicodeNormalizer.NONE : new UnicodeNormalizer(forms);
    }

    private void collectNormalizationForms(JsonNode node, String path, List<Normalizer.Form> forms) {
        String type = fields.requiredString(node, "type", path + ".type");
        switch (type) {
            case "NFC" -> forms.add(Normalizer.Form.NFC);
            case "NFD" -> forms.add(Normalizer.Form.NFD);
            case "NFKC" -> forms.add(Normalizer.Form.NFKC);
            case "NFKD" -> forms.add(Normalizer.Form.NFKD);
            case "Sequence" -> {
                JsonNode list = fields.required(node, "normalizers", path + ".normalizers");
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
        boolean[] byteLevel = {false};
        if (preTokenizerNode != null && !preTokenizerNode.isNull()) {
            collectSplitPatterns(preTokenizerNode, "pre_tokenizer", patterns, byteLevel);
        }
        if (!byteLevel[0]) {
            throw fields.error("pre_tokenizer", "no ByteLevel pre-tokenizer: only byte-level BPE is supported");
        }
        return new PreTokenizer(patterns);
    }

    private void collectSplitPatterns(JsonNode node, String path, List<Pattern> patterns, boolean[] byteLevel) {
        String type = fields.requiredString(node, "type", path + ".type");
        switch (type) {
            case "Sequence" -> {
                JsonNode list = fields.required(node, "pretokenizers", path + ".pretokenizers");
                for (int i = 0; i < list.size(); i++) {
                    collectSplitPatterns(list.get(i), path + ".pretokenizers." + i, patterns, byteLevel);
                }
            }
            case "Split" -> patterns.add(readSplit(node, path));
            case "ByteLevel" -> {
                if (fields.optionalBoolean(node, "add_prefix_space", path + ".add_prefix_space", false)) {
                    throw fields.error(path + ".add_prefix_space", "add_prefix_space=true is not supported");
                }
                // The reference defaults use_regex to true when the field is absent.
                if (fields.optionalBoolean(node, "use_regex", path + ".use_regex", true)) {
                    patterns.add(OnigurumaRegex.compile(PreTokenizer.GPT2_PATTERN));
                }
                byteLevel[0] = true;
            }
            default -> throw fields.error(path + ".type", "pre-tokenizer \"" + type + "\" is not supported"
                    + " (supported: Sequence, Split, ByteLevel)");
        }
    }

    private Pattern readSplit(JsonNode node, String path) {
        String behavior = fields.requiredString(node, "behavior", path + ".behavior");
        // With Isolated, matches and the text between them all become pieces, so "invert" changes nothing.
        if (!behavior.equals("Isolated")) {
            throw fields.error(path + ".behavior", "split behavior \"" + behavior + "\" is not supported"
                    + " (supported: Isolated)");
        }
        JsonNode pattern = fields.required(node, "pattern", path + ".pattern");
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
        if (decoderNode == null || decoderNode.isNull()) {
            throw fields.error("decoder", "missing: a ByteLevel decoder is required");
        }
        String type = fields.requiredString(decoderNode, "type", "decoder.type");
        if (!type.equals("ByteLevel")) {
            throw fields.error("decoder.type", "decoder \"" + type + "\" is not supported (supported: ByteLevel)");
        }
    }
}
