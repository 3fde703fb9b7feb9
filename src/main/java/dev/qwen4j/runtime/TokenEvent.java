package dev.qwen4j.runtime;

/**
 * Output of one step for one sequence.
 *
 * @param tokenId   the generated token, or -1 for text released only at the end (held-back stop-string or tag prefixes)
 * @param text      newly final text (stop strings removed); may be empty while a character or stop string is incomplete
 * @param reasoning the part of the text that is reasoning (empty unless the request splits reasoning)
 * @param content   the part that is answer content (equals text when reasoning is not split)
 * @param logprobs  the token's log-probabilities when the request asked for them, else null
 */
public record TokenEvent(int tokenId, String text, String reasoning, String content, TokenLogprobs logprobs) {
    public TokenEvent(int tokenId, String text, String reasoning, String content) {
        this(tokenId, text, reasoning, content, null);
    }

    TokenEvent withLogprobs(TokenLogprobs l) {
        return new TokenEvent(tokenId, text, reasoning, content, l);
    }
}
