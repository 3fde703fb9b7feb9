package dev.qwen4j.template;

/**
 * Splits streamed model output into reasoning and answer text as it arrives. Text between
 * {@code <think>} and {@code </think>} is reasoning, everything else is content; the tags themselves,
 * the newlines just inside them and the newlines right after {@code </think>} are dropped, so the
 * concatenated deltas of a complete Qwen3 response equal {@link ReasoningSplit#of}.
 *
 * <p>Tags may be split across pieces at any point: a piece ending in a possible tag prefix (or, inside
 * reasoning, in newlines that may precede {@code </think>}) is held back until the next piece decides.
 * Not thread-safe; use one parser per generated sequence.
 */
public final class ReasoningParser {

    private static final String OPEN = "<think>";
    private static final String CLOSE = "</think>";

    /** What one piece of output added to the reasoning and to the answer; either may be empty. */
    public record Delta(String reasoning, String content) {

        public static final Delta EMPTY = new Delta("", "");

        public boolean isEmpty() {
            return reasoning.isEmpty() && content.isEmpty();
        }
    }

    private final StringBuilder pending = new StringBuilder();
    private boolean insideReasoning;
    /** Set after a tag (or at the start of reasoning opened by the prompt): newlines there are layout. */
    private boolean dropLeadingNewlines;

    /** @param startsInsideThinking true when the prompt already ended with {@code <think>\n} */
    public ReasoningParser(boolean startsInsideThinking) {
        this.insideReasoning = startsInsideThinking;
        this.dropLeadingNewlines = startsInsideThinking;
    }

    /** True while the output is inside a reasoning block. */
    public boolean insideReasoning() {
        return insideReasoning;
    }

    public Delta push(String textPiece) {
        pending.append(textPiece);
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        while (true) {
            String buffer = pending.toString();
            String tag = insideReasoning ? CLOSE : OPEN;
            int at = buffer.indexOf(tag);
            if (at >= 0) {
                String before = buffer.substring(0, at);
                emit(insideReasoning ? ReasoningSplit.stripTrailingNewlines(before) : before, reasoning, content);
                insideReasoning = !insideReasoning;
                dropLeadingNewlines = true;
                pending.setLength(0);
                pending.append(buffer, at + tag.length(), buffer.length());
                continue;
            }
            int safeEnd = buffer.length() - partialTagLength(buffer, tag);
            if (insideReasoning) {
                while (safeEnd > 0 && buffer.charAt(safeEnd - 1) == '\n') {
                    safeEnd--;
                }
            }
            emit(buffer.substring(0, safeEnd), reasoning, content);
            pending.delete(0, safeEnd);
            return delta(reasoning, content);
        }
    }

    /** Releases whatever was held back waiting for a tag that never completed. */
    public Delta flush() {
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        emit(pending.toString(), reasoning, content);
        pending.setLength(0);
        return delta(reasoning, content);
    }

    private void emit(String text, StringBuilder reasoning, StringBuilder content) {
        if (dropLeadingNewlines) {
            text = ReasoningSplit.stripLeadingNewlines(text);
            dropLeadingNewlines = text.isEmpty();
        }
        (insideReasoning ? reasoning : content).append(text);
    }

    /** Length of the longest proper prefix of {@code tag} that {@code text} ends with. */
    private static int partialTagLength(String text, String tag) {
        for (int length = Math.min(tag.length() - 1, text.length()); length > 0; length--) {
            if (text.regionMatches(text.length() - length, tag, 0, length)) {
                return length;
            }
        }
        return 0;
    }

    private static Delta delta(StringBuilder reasoning, StringBuilder content) {
        return reasoning.isEmpty() && content.isEmpty() ? Delta.EMPTY
                : new Delta(reasoning.toString(), content.toString());
    }
}
