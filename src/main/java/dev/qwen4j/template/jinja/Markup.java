package dev.qwen4j.template.jinja;

/**
 * markupsafe's {@code Markup}: text marked as already HTML-safe, produced by the {@code safe} and
 * {@code escape} filters. With autoescape off it prints like any string, but {@code +} and {@code %}
 * HTML-escape the plain strings they combine with it, which real templates (e.g. functionary's
 * {@code "..."|safe + name}) depend on. Everywhere else it behaves as its text.
 */
record Markup(String text) {

    /** markupsafe's {@code escape}: Markup passes through, anything else is stringified and escaped. */
    static Markup escape(Object value) {
        if (value instanceof Markup markup) {
            return markup;
        }
        return new Markup(escapeText(PyValues.str(value)));
    }

    static String escapeText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&#34;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** The plain Python value: Markup's text, anything else unchanged. */
    static Object plain(Object value) {
        return value instanceof Markup markup ? markup.text() : value;
    }

    @Override
    public String toString() {
        return text;
    }
}
