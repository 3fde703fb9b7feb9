package dev.qwen4j.runtime.sampling;

import java.util.List;
import java.util.Objects;

/**
 * Finds stop strings in text that arrives piece by piece (one detokenized token at a time), as OpenAI / vLLM do:
 * output ends right before the earliest stop string, which is not emitted.
 *
 * <p>A stop string can straddle pieces, so {@link #push} holds back the longest tail that is still the beginning of
 * some stop string and emits the rest. It also never ends an emitted chunk on a lone high surrogate, so chunks are
 * whole code points whenever the input is. Not thread-safe.
 */
public final class StopStringMatcher {

    /**
     * @param emit    text that is safe to show now
     * @param stopped true if a stop string was found; {@code emit} then ends right before it
     */
    public record Result(String emit, boolean stopped) {}

    private static final Result NOTHING = new Result("", false);

    private final String[] stops;
    private final int longestStop;
    private final StringBuilder pending = new StringBuilder();
    private String matchedStop;

    public StopStringMatcher(List<String> stops) {
        Objects.requireNonNull(stops, "stops");
        this.stops = stops.toArray(String[]::new);
        int longest = 0;
        for (String stop : this.stops) {
            if (stop == null || stop.isEmpty()) {
                throw new IllegalArgumentException("stop strings must be non-empty but were " + stops);
            }
            longest = Math.max(longest, stop.length());
        }
        this.longestStop = longest;
    }

    /**
     * Adds the next piece of generated text.
     *
     * @throws IllegalStateException if a stop string was already found: generation should have ended
     */
    public Result push(String newText) {
        if (matchedStop != null) {
            throw new IllegalStateException("push after stop string \"" + matchedStop + "\" was already found");
        }
        if (newText.isEmpty()) {
            return NOTHING;
        }
        pending.append(newText);
        int stopStart = findEarliestStop();
        if (stopStart >= 0) {
            String emit = pending.substring(0, stopStart);
            pending.setLength(0); // text after the stop string is discarded
            return new Result(emit, true);
        }
        int emitLength = pending.length() - heldBackLength();
        if (emitLength == 0) {
            return NOTHING;
        }
        String emit = pending.substring(0, emitLength);
        pending.delete(0, emitLength);
        return new Result(emit, false);
    }

    /** Text still held back, for when generation ends without a stop string; empty after a stop. */
    public String flush() {
        String rest = pending.toString();
        pending.setLength(0);
        return rest;
    }

    /** The stop string that ended generation, or null if none has (yet). */
    public String matchedStop() {
        return matchedStop;
    }

    /**
     * Earliest start of any stop string in the pending text, or -1. Only the pending text needs searching: anything
     * already emitted was proven not to begin a stop string.
     */
    private int findEarliestStop() {
        int earliest = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
                matchedStop = stop;
            }
        }
        return earliest;
    }

    /** Length of the longest pending tail that some stop string starts with (plus a dangling high surrogate). */
    private int heldBackLength() {
        int length = pending.length();
        for (int tail = Math.min(length, longestStop - 1); tail > 0; tail--) {
            if (isStopPrefix(length - tail, tail)) {
                return tail;
            }
        }
        return length > 0 && Character.isHighSurrogate(pending.charAt(length - 1)) ? 1 : 0;
    }

    private boolean isStopPrefix(int from, int tail) {
        for (String stop : stops) {
            if (stop.length() > tail && regionEquals(from, stop, tail)) {
                return true;
            }
        }
        return false;
    }

    private boolean regionEquals(int from, String stop, int length) {
        for (int i = 0; i < length; i++) {
            if (pending.charAt(from + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
