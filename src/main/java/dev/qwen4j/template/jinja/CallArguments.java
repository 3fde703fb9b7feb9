package dev.qwen4j.template.jinja;

import java.util.List;

/**
 * The argument expressions of a call, filter or test: positional ones, {@code name=value} ones, and the
 * optional {@code *args} / {@code **kwargs} spreads (null when absent).
 */
record CallArguments(List<Expr> positional, List<Keyword> keywords, Expr spreadPositional, Expr spreadKeywords) {

    static final CallArguments NONE = new CallArguments(List.of(), List.of(), null, null);

    record Keyword(String name, Expr value) {}
}
