package dev.qwen4j.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of a transformers {@code tokenizer_config.json} that affect tokenization: the
 * {@code added_tokens_decoder} table, which transformers applies on top of {@code tokenizer.json}, and the names
 * of the bos/eos/pad tokens.
 */
final class TokenizerConfig {
    static final String FILE_NAME = "tokenizer_config.json";

    /** Token strings given for the special roles; each may be null. */
    record SpecialTokenNames(String bos, String eos, String pad) {
        static final SpecialTokenNames NONE = new SpecialTokenNames(null, null, null);
    }

    private final Path file;
    private final List<AddedToken> addedTokens;
    private final SpecialTokenNames names;

    private TokenizerConfig(Path file, List<AddedToken> addedTokens, SpecialTokenNames names) {
        this.file = file;
        this.addedTokens = addedTokens;
        this.names = names;
    }

    static TokenizerConfig read(Path file) {
        byte[] bytes = TokenizerException.readFile(file);
        JsonFields fields = new JsonFields(file);
        Object tree;
        try {
            JsonScanner json = new JsonScanner(bytes);
            tree = json.readValue();
            if (!json.atEnd()) {
                throw json.malformed("unexpected content after the top-level value");
            }
        } catch (JsonScanner.MalformedJsonException e) {
            throw new TokenizerException(file, null, e.truncated() ? "truncated JSON" : e.getMessage(), e);
        }
        Map<String, Object> root = fields.object(tree, null);
        List<AddedToken> added = new ArrayList<>();
        Object decoder = fields.optional(root, "added_tokens_decoder");
        if (decoder != null) {
            for (var entry : fields.object(decoder, "added_tokens_decoder").entrySet()) {
                String path = "added_tokens_decoder." + entry.getKey();
                int id;
                try {
                    id = Integer.parseInt(entry.getKey());
                } catch (NumberFormatException e) {
                    throw fields.error(path, "the key is not an integer id");
                }
                added.add(TokenizerJsonReader.readAddedToken(fields, entry.getValue(), path, id));
            }
        }
        SpecialTokenNames names = new SpecialTokenNames(tokenName(fields, root, "bos_token"),
                tokenName(fields, root, "eos_token"), tokenName(fields, root, "pad_token"));
        return new TokenizerConfig(file, List.copyOf(added), names);
    }

    /** A role's token, written either as a string or as an added-token object with a {@code content} field. */
    private static String tokenName(JsonFields fields, Map<String, Object> root, String role) {
        Object value = fields.optional(root, role);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof Map<?, ?>) {
            return fields.requiredString(fields.object(value, role), "content", role + ".content");
        }
        throw fields.error(role, "expected a string or an object with \"content\", found " + JsonFields.describe(value));
    }

    SpecialTokenNames names() {
        return names;
    }

    /**
     * Applies {@code added_tokens_decoder} the way transformers does when it loads a fast tokenizer: a token whose
     * text the tokenizer already knows keeps that id but takes the flags given here; a new text is added under
     * the id given here.
     */
    void mergeAddedTokensInto(Map<Integer, AddedToken> added, Vocabulary vocab) {
        for (AddedToken token : addedTokens) {
            Integer existingId = null;
            for (AddedToken known : added.values()) {
                if (known.content().equals(token.content())) {
                    existingId = known.id();
                    break;
                }
            }
            if (existingId == null && vocab.find(token.content()) >= 0) {
                existingId = vocab.find(token.content());
            }
            int id = existingId != null ? existingId : token.id();
            AddedToken displaced = added.get(id);
            if (displaced != null && !displaced.content().equals(token.content())) {
                throw new TokenizerException(file, "added_tokens_decoder." + token.id(), "\"" + token.content()
                        + "\" would take the id of the added token \"" + displaced.content() + "\"");
            }
            added.put(id, new AddedToken(id, token.content(), token.special(), token.singleWord(),
                    token.leftStrip(), token.rightStrip(), token.normalized()));
        }
    }
}
