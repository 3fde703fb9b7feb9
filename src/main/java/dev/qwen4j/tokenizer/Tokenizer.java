package dev.qwen4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The Qwen3 tokenizer: byte-level BPE as defined by a Hugging Face {@code tokenizer.json}, reproducing the
 * {@code tokenizers} library's output id for id.
 *
 * <p>Encoding: added tokens are cut out of the raw text first (longest match wins, special or not), the rest is
 * normalized (NFC for Qwen3), split by the pre-tokenizer regex, mapped to bytes and merged by BPE. Nothing is
 * prepended or appended ({@code add_special_tokens=false}); chat templates write their markers as text.
 *
 * <p>Decoding: token strings map back to bytes through the GPT-2 byte alphabet, and the bytes are read as UTF-8
 * with invalid sequences replaced by U+FFFD. Ids the tokenizer does not define are skipped, as the reference
 * does; Qwen3's embedding has rows 151669..151935 that no token uses.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class Tokenizer {
    private final Vocabulary vocab;
    private final BytePairEncoder encoder;
    private final List<AddedToken> addedTokens;
    private final Map<String, Integer> addedTokenIds = new HashMap<>();
    private final AddedTokenMatcher rawAddedTokens;
    private final AddedTokenMatcher normalizedAddedTokens;
    private final UnicodeNormalizer normalizer;
    private final PreTokenizer preTokenizer;
    /** The added token of each id, null for ordinary vocabulary ids; sized {@link #vocabSize()}. */
    private final AddedToken[] addedById;
    private final BitSet specialIds = new BitSet();
    private final OptionalInt bosTokenId;
    private final OptionalInt eosTokenId;
    private final OptionalInt padTokenId;

    Tokenizer(Vocabulary vocab, BytePairEncoder encoder, List<AddedToken> addedTokens,
              UnicodeNormalizer normalizer, PreTokenizer preTokenizer, TokenizerConfig.SpecialTokenNames names) {
        this.vocab = vocab;
        this.encoder = encoder;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        List<AddedToken> sorted = new ArrayList<>(addedTokens);
        sorted.sort(Comparator.comparingInt(AddedToken::id));
        this.addedTokens = List.copyOf(sorted);

        int idLimit = vocab.idLimit();
        for (AddedToken token : sorted) {
            idLimit = Math.max(idLimit, token.id() + 1);
        }
        addedById = new AddedToken[idLimit];
        List<AddedToken> raw = new ArrayList<>();
        List<AddedToken> normalized = new ArrayList<>();
        for (AddedToken token : sorted) {
            addedById[token.id()] = token; // an added token shadows a vocabulary entry with the same id
            addedTokenIds.put(token.content(), token.id());
            if (token.special()) {
                specialIds.set(token.id());
            }
            (token.normalized() ? normalized : raw).add(token);
        }
        rawAddedTokens = new AddedTokenMatcher(raw, AddedToken::content);
        normalizedAddedTokens = new AddedTokenMatcher(normalized, token -> normalizer.normalize(token.content()));
        bosTokenId = idOrEmpty(names.bos());
        eosTokenId = idOrEmpty(names.eos());
        padTokenId = idOrEmpty(names.pad());
    }

    private OptionalInt idOrEmpty(String token) {
        return token == null ? OptionalInt.empty() : id(token);
    }

    /**
     * Loads a {@code tokenizer.json}.
     *
     * @throws TokenizerException naming the file and field when the file is missing, malformed, or describes a
     *                            tokenizer this engine does not implement
     */
    public static Tokenizer fromFile(Path tokenizerJson) {
        return TokenizerJsonReader.read(tokenizerJson, null);
    }

    /**
     * Loads {@code dir/tokenizer.json}, plus {@code dir/tokenizer_config.json} when present, whose
     * {@code added_tokens_decoder} takes precedence over the added tokens of {@code tokenizer.json} (as in
     * transformers) and whose bos/eos/pad entries set {@link #bosTokenId()}, {@link #eosTokenId()} and
     * {@link #padTokenId()}.
     */
    public static Tokenizer fromModelDir(Path dir) {
        Path config = dir.resolve(TokenizerConfig.FILE_NAME);
        return TokenizerJsonReader.read(dir.resolve("tokenizer.json"),
                Files.isRegularFile(config) ? TokenizerConfig.read(config) : null);
    }

    /**
     * Builds a Qwen2/Qwen3 tokenizer (NFC, the Qwen2 pre-tokenizer regex, byte-level BPE) from vocabulary lists,
     * as stored in a GGUF file.
     *
     * @param tokens       the byte-level token strings in id order
     * @param merges       merge rules, highest priority first, each written {@code "left right"}
     * @param specialFlags the ids of added tokens (matched literally before BPE, e.g. {@code <|im_start|>},
     *                     {@code <think>}), each mapped to whether it is special (dropped by
     *                     {@code skipSpecialTokens})
     * @throws TokenizerException when a merge or an added-token id refers to something absent
     */
    public static Tokenizer fromVocab(List<String> tokens, List<String> merges, Map<Integer, Boolean> specialFlags) {
        return fromVocab(tokens, merges, specialFlags, null, null, null);
    }

    /**
     * Like {@link #fromVocab(List, List, Map)}, with the texts of the bos/eos/pad tokens (each may be null)
     * that {@link #bosTokenId()}, {@link #eosTokenId()} and {@link #padTokenId()} report, as GGUF's
     * tokenizer.ggml.*_token_id keys name them.
     */
    public static Tokenizer fromVocab(List<String> tokens, List<String> merges, Map<Integer, Boolean> specialFlags,
                                      String bos, String eos, String pad) {
        Vocabulary.Builder vocabulary = new Vocabulary.Builder();
        for (int id = 0; id < tokens.size(); id++) {
            vocabulary.add(Objects.requireNonNull(tokens.get(id), "token " + id), id);
        }
        Vocabulary vocab = vocabulary.build();
        MergeRuleList rules = new MergeRuleList();
        for (int rank = 0; rank < merges.size(); rank++) {
            byte[] merge = merges.get(rank).getBytes(StandardCharsets.UTF_8);
            if (!rules.addSpaceSeparated(merge, 0, merge.length)) {
                throw new TokenizerException(null, "merges." + rank,
                        "expected \"left right\", found \"" + merges.get(rank) + "\"");
            }
        }
        MergeTable table = rules.resolve(vocab, null, "merges");
        List<AddedToken> added = new ArrayList<>();
        for (Map.Entry<Integer, Boolean> entry : specialFlags.entrySet()) {
            int id = entry.getKey();
            if (id < 0 || id >= tokens.size()) {
                throw new TokenizerException(null, "specialFlags." + id, "no token has this id");
            }
            if (tokens.get(id).isEmpty()) {
                throw new TokenizerException(null, "specialFlags." + id, "the token text is empty");
            }
            added.add(AddedToken.literal(id, tokens.get(id), entry.getValue()));
        }
        return new Tokenizer(vocab, new BytePairEncoder(vocab, table, -1, false, false), added,
                UnicodeNormalizer.of(Normalizer.Form.NFC), PreTokenizer.qwen2(),
                new TokenizerConfig.SpecialTokenNames(bos, eos, pad));
    }

    /** Token ids for {@code text}, with no special tokens added ({@code add_special_tokens=false}). */
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        GrowableInts ids = new GrowableInts(text.length() / 3 + 4);
        rawAddedTokens.split(text, new AddedTokenMatcher.Segments() {
            @Override
            public void text(String input, int from, int to) {
                encodeOrdinaryText(normalizer.normalize(input.substring(from, to)), ids);
            }

            @Override
            public void addedToken(int id) {
                ids.add(id);
            }
        });
        return ids.toArray();
    }

    /** Encodes normalized text that raw added tokens have already been cut out of. */
    private void encodeOrdinaryText(String normalized, GrowableInts ids) {
        normalizedAddedTokens.split(normalized, new AddedTokenMatcher.Segments() {
            @Override
            public void text(String input, int from, int to) {
                String segment = from == 0 && to == input.length() ? input : input.substring(from, to);
                preTokenizer.split(segment, piece -> ids.addAll(encoder.encode(piece)));
            }

            @Override
            public void addedToken(int id) {
                ids.add(id);
            }
        });
    }

    /** The text of {@code ids}, special tokens included ({@code skip_special_tokens=false}). */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /** The text of {@code ids}; with {@code skipSpecialTokens}, tokens flagged special are left out. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        GrowableBytes bytes = new GrowableBytes(ids.length * 4);
        for (int id : ids) {
            if (!(skipSpecialTokens && isSpecial(id))) {
                appendBytes(id, bytes);
            }
        }
        StringBuilder text = new StringBuilder(bytes.size());
        Utf8.decodeLossy(bytes.array(), 0, bytes.size(), true, text);
        return text.toString();
    }

    /**
     * Appends the bytes a token stands for. Like the reference {@code ByteLevel} decoder, a token made only of
     * byte-alphabet characters is mapped back through it, and any other (an added token such as
     * {@code "<a b>"} with a plain space) contributes its own UTF-8. Unknown ids contribute nothing.
     */
    void appendBytes(int id, GrowableBytes out) {
        if (id < 0 || id >= addedById.length) {
            return;
        }
        AddedToken added = addedById[id];
        if (added == null) {
            if (vocab.contains(id)) {
                vocab.appendDecodedBytes(id, out);
            }
            return;
        }
        String token = added.content();
        int mark = out.size();
        for (int i = 0; i < token.length(); i++) {
            int b = ByteLevelAlphabet.byteOf(token.charAt(i));
            if (b < 0) {
                out.truncate(mark);
                out.addAll(Utf8.encode(token, 0, token.length()));
                return;
            }
            out.add(b);
        }
    }

    /** The raw bytes token {@code id} stands for (possibly a partial UTF-8 sequence); empty for unknown ids. */
    public byte[] tokenBytes(int id) {
        GrowableBytes out = new GrowableBytes(16);
        appendBytes(id, out);
        return java.util.Arrays.copyOf(out.array(), out.size());
    }

    /** An incremental decoder for generated ids, special tokens included. */
    public StreamingDecoder newStreamingDecoder() {
        return new StreamingDecoder(this, false);
    }

    /** An incremental decoder for generated ids; with {@code skipSpecialTokens}, special tokens are left out. */
    public StreamingDecoder newStreamingDecoder(boolean skipSpecialTokens) {
        return new StreamingDecoder(this, skipSpecialTokens);
    }

    /** The number of ids defined: the largest id, of the vocabulary and the added tokens, plus one. */
    public int vocabSize() {
        return addedById.length;
    }

    /**
     * The token string of {@code id} in its stored form: byte-alphabet text for vocabulary entries (a leading
     * space shows as {@code Ġ}), the literal content for added tokens.
     *
     * @throws IllegalArgumentException when no token has this id
     */
    public String token(int id) {
        String token = null;
        if (id >= 0 && id < addedById.length) {
            token = addedById[id] != null ? addedById[id].content() : vocab.token(id);
        }
        if (token == null) {
            throw new IllegalArgumentException("no token has id " + id + " (vocabulary size " + vocabSize() + ")");
        }
        return token;
    }

    /** The id of a token string in stored form (see {@link #token}), added tokens first. */
    public OptionalInt id(String token) {
        Integer added = addedTokenIds.get(token);
        if (added != null) {
            return OptionalInt.of(added);
        }
        int id = vocab.find(token);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Whether {@code id} is an added token flagged special (Qwen3: 151643..151656, not {@code <think>}). */
    public boolean isSpecial(int id) {
        return id >= 0 && specialIds.get(id);
    }

    /** The added tokens, by increasing id. */
    public List<AddedToken> addedTokens() {
        return addedTokens;
    }

    /** The id of {@code bos_token} from {@code tokenizer_config.json}, if given and known (Qwen3: none). */
    public OptionalInt bosTokenId() {
        return bosTokenId;
    }

    /** The id of {@code eos_token} from {@code tokenizer_config.json} (Qwen3 chat models: {@code <|im_end|>}). */
    public OptionalInt eosTokenId() {
        return eosTokenId;
    }

    /** The id of {@code pad_token} from {@code tokenizer_config.json} (Qwen3: {@code <|endoftext|>}). */
    public OptionalInt padTokenId() {
        return padTokenId;
    }
}
