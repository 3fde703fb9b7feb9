package dev.qwen4j.template.jinja;

/** A 1-based line and column in the template source. */
record Location(int line, int column) {}
