package dev.qwen4j.tokenizer;

import java.text.Normalizer;
import java.util.List;

/**
 * The {@code normalizer} stage of a Hugging Face tokenizer, restricted to the Unicode normalization forms (Qwen3
 * uses NFC), applied in order. No forms means the text passes through unchanged.
 */
final class UnicodeNormalizer {
    static final UnicodeNormalizer NONE = new UnicodeNormalizer(List.of());

    private final Normalizer.Form[] forms;

    UnicodeNormalizer(List<Normalizer.Form> forms) {
        this.forms = forms.toArray(new Normalizer.Form[0]);
    }

    static UnicodeNormalizer of(Normalizer.Form form) {
        return new UnicodeNormalizer(List.of(form));
    }

    String normalize(String text) {
        String result = text;
        for (Normalizer.Form form : forms) {
            // The check is a cheap scan; most text (all ASCII, for instance) is already normalized.
            if (!Normalizer.isNormalized(result, form)) {
                result = Normalizer.normalize(result, form);
            }
        }
        return result;
    }
}
