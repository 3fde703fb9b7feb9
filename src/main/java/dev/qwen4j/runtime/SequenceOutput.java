package dev.qwen4j.runtime;

import dev.qwen4j.runtime.sampling.StopStringMatcher;
import dev.qwen4j.template.ReasoningParser;
import dev.qwen4j.tokenizer.StreamingDecoder;
import dev.qwen4j.tokenizer.Tokenizer;
import java.util.List;

/**
 * Turns one sequence's generated ids into text events: streaming detokenization, stop strings (held back
 * until they can no longer match) and the reasoning/content split. Same order of operations as
 * {@link dev.qwen4j.api.Generator}, so both produce the same text.
 */
final class SequenceOutput {
    private final StreamingDecoder decoder;
    private final StopStringMatcher stops;
    private final ReasoningParser reasoning; // null: no split
    private final StringBuilder text = new StringBuilder();
    private boolean stopped;

    SequenceOutput(Tokenizer tokenizer, List<String> stopStrings, ReasoningMode mode) {
        this.decoder = tokenizer.newStreamingDecoder();
        this.stops = new StopStringMatcher(stopStrings);
        this.reasoning = mode == ReasoningMode.NONE ? null : new ReasoningParser(mode == ReasoningMode.SPLIT_STARTS_IN_REASONING);
    }

    /** A regular token's text; after it, {@link #stopped()} says whether a stop string ended the output. */
    TokenEvent push(int token) {
        StopStringMatcher.Result r = stops.push(decoder.push(token));
        stopped = r.stopped();
        return event(token, r.emit(), stopped);
    }

    /** True once a stop string was found (the event that found it released everything before it). */
    boolean stopped() {
        return stopped;
    }

    /**
     * The end of the output without a stop string: an EOS token (whose text is not shown), or -1 when the
     * length ran out. Releases everything held back.
     */
    TokenEvent finish(int token) {
        String rest = stops.push(decoder.flush()).emit() + stops.flush();
        return event(token, rest, true);
    }

    String text() {
        return text.toString();
    }

    private TokenEvent event(int token, String piece, boolean last) {
        text.append(piece);
        if (reasoning == null) return new TokenEvent(token, piece, "", piece);
        ReasoningParser.Delta d = reasoning.push(piece);
        String r = d.reasoning(), c = d.content();
        if (last) {
            ReasoningParser.Delta tail = reasoning.flush();
            r += tail.reasoning();
            c += tail.content();
        }
        return new TokenEvent(token, piece, r, c);
    }
}
