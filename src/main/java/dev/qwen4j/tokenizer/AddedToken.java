package dev.qwen4j.tokenizer;

import java.util.Objects;

/**
 * A token matched literally in the input before any normalization or BPE (Hugging Face "added token").
 *
 * @param id         its id
 * @param content    the exact text it stands for
 * @param special    whether {@code skip_special_tokens} removes it when decoding
 * @param singleWord match only when not glued to a word character on either side
 * @param leftStrip  absorb the white space before it
 * @param rightStrip absorb the white space after it
 * @param normalized match against the normalized text instead of the raw input
 */
public record AddedToken(int id, String content, boolean special, boolean singleWord, boolean leftStrip,
                         boolean rightStrip, boolean normalized) {

    public AddedToken {
        Objects.requireNonNull(content, "content");
        if (id < 0) {
            throw new IllegalArgumentException("negative token id " + id);
        }
        if (content.isEmpty()) {
            throw new IllegalArgumentException("empty added token " + id);
        }
    }

    /** A token matched verbatim in the raw input, with no stripping: how Qwen declares all of its added tokens. */
    public static AddedToken literal(int id, String content, boolean special) {
        return new AddedToken(id, content, special, false, false, false, false);
    }
}
