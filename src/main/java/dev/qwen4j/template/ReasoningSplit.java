package dev.qwen4j.template;

/**
 * A finished assistant message split into reasoning and answer exactly as the Qwen3 chat template
 * splits {@code content} when re-rendering history: reasoning is the text before the first
 * {@code </think>}, after the last {@code <think>} in it, with surrounding newlines removed; the answer
 * is the text after the last {@code </think>} with leading newlines removed. Without {@code </think>}
 * the whole text is the answer.
 */
public record ReasoningSplit(String reasoning, String content) {

    private static final String OPEN = "<think>";
    private static final String CLOSE = "</think>";

    public static ReasoningSplit of(String assistantText) {
        int firstClose = assistantText.indexOf(CLOSE);
        if (firstClose < 0) {
            return new ReasoningSplit("", assistantText);
        }
        String content = stripLeadingNewlines(assistantText.substring(assistantText.lastIndexOf(CLOSE) + CLOSE.length()));
        String beforeClose = stripTrailingNewlines(assistantText.substring(0, firstClose));
        String reasoning = beforeClose.substring(beforeClose.lastIndexOf(OPEN) < 0 ? 0
                : beforeClose.lastIndexOf(OPEN) + OPEN.length());
        return new ReasoningSplit(stripLeadingNewlines(reasoning), content);
    }

    static String stripLeadingNewlines(String text) {
        int start = 0;
        while (start < text.length() && text.charAt(start) == '\n') {
            start++;
        }
        return text.substring(start);
    }

    static String stripTrailingNewlines(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\n') {
            end--;
        }
        return text.substring(0, end);
    }
}
