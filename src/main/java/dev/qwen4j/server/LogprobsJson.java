package dev.qwen4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qwen4j.runtime.TokenLogprobs;
import dev.qwen4j.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Log-probabilities in OpenAI's two shapes: chat's {@code content} entries and completions' parallel lists. */
final class LogprobsJson {
    private final Tokenizer tokenizer;

    LogprobsJson(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    private String text(int id) {
        return tokenizer.decode(new int[] {id});
    }

    private ObjectNode entry(int id, float logprob) {
        ObjectNode e = HttpIo.JSON.createObjectNode();
        String t = text(id);
        e.put("token", t);
        e.put("logprob", logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : t.getBytes(StandardCharsets.UTF_8)) bytes.add(b & 0xFF);
        return e;
    }

    /** Chat: {@code {"content": [{token, logprob, bytes, top_logprobs: [...]}, ...], "refusal": null}}. */
    ObjectNode chat(List<TokenLogprobs> tokens) {
        ObjectNode root = HttpIo.JSON.createObjectNode();
        ArrayNode content = root.putArray("content");
        for (TokenLogprobs t : tokens) {
            ObjectNode e = entry(t.token(), t.logprob());
            ArrayNode top = e.putArray("top_logprobs");
            for (int i = 0; i < t.topTokens().length; i++) top.add(entry(t.topTokens()[i], t.topLogprobs()[i]));
            content.add(e);
        }
        root.putNull("refusal");
        return root;
    }

    /**
     * Completions: {@code {"tokens", "token_logprobs", "top_logprobs", "text_offset"}}, offsets counted from
     * textOffset (the text already sent).
     */
    ObjectNode completion(List<TokenLogprobs> tokens, int textOffset) {
        ObjectNode root = HttpIo.JSON.createObjectNode();
        ArrayNode toks = root.putArray("tokens"), lps = root.putArray("token_logprobs"), tops = root.putArray("top_logprobs"),
                offsets = root.putArray("text_offset");
        int offset = textOffset;
        for (TokenLogprobs t : tokens) {
            String s = text(t.token());
            toks.add(s);
            lps.add(t.logprob());
            ObjectNode top = tops.addObject();
            for (int i = 0; i < t.topTokens().length; i++) top.put(text(t.topTokens()[i]), t.topLogprobs()[i]);
            offsets.add(offset);
            offset += s.length();
        }
        return root;
    }
}
