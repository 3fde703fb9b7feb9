package dev.qwen4j.tokenizer;

/**
 * Turns generated token ids into text as they arrive. A character whose UTF-8 bytes are spread over several
 * tokens (common for CJK and emoji in byte-level BPE) is held back until its last byte arrives, so no chunk
 * ever ends in a broken character; the concatenation of all chunks and {@link #flush()} equals
 * {@link Tokenizer#decode} of the whole sequence.
 *
 * <p>One instance per stream; not thread-safe.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    /** Bytes of an incomplete UTF-8 sequence (at most 3) waiting for the rest. */
    private final GrowableBytes pending = new GrowableBytes(16);

    StreamingDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one token and returns the text it completes, possibly empty. */
    public String push(int id) {
        if (skipSpecialTokens && tokenizer.isSpecial(id)) {
            return "";
        }
        tokenizer.appendBytes(id, pending);
        return drain(false);
    }

    /**
     * Ends the stream: returns the held-back bytes decoded, an incomplete sequence becoming U+FFFD as in
     * {@link Tokenizer#decode}, and leaves the decoder empty for reuse.
     */
    public String flush() {
        return drain(true);
    }

    private String drain(boolean endOfInput) {
        if (pending.size() == 0) {
            return "";
        }
        StringBuilder text = new StringBuilder(pending.size());
        int consumed = Utf8.decodeLossy(pending.array(), 0, pending.size(), endOfInput, text);
        pending.discardFirst(consumed);
        return text.toString();
    }
}
