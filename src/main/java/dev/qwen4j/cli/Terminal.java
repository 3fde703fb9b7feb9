package dev.qwen4j.cli;

/** Console styling: only when stdout is a terminal and NO_COLOR is unset. */
final class Terminal {
    static final boolean ANSI = System.console() != null && System.getenv("NO_COLOR") == null;

    private Terminal() {}

    static String dim(String s) {
        return ANSI ? "\u001b[2m" + s + "\u001b[0m" : s;
    }
}
