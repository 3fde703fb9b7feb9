package dev.qwen4j.template.jinja;

import java.util.List;

/** Statement syntax tree: template text, output tags and the block tags jinja2 supports. */
sealed interface Node {

    /** Where the tag starts, for locating runtime errors; null for plain template text. */
    Location location();

    record Text(String text) implements Node {
        @Override
        public Location location() {
            return null;
        }
    }

    /** {@code {{ expression }}}. */
    record Output(Expr expression, Location location) implements Node {}

    record If(List<Branch> branches, List<Node> otherwise, Location location) implements Node {
        record Branch(Expr condition, List<Node> body) {}
    }

    /** {@code for target in iterable [if condition] [recursive]}, with an optional else body. */
    record For(AssignTarget target, Expr iterable, Expr condition, boolean recursive, List<Node> body,
               List<Node> otherwise, Location location) implements Node {}

    /** {@code {% set target = value %}}. */
    record Assign(AssignTarget target, Expr value, Location location) implements Node {}

    /** {@code {% set target | filters %}body{% endset %}}; the rendered body is the value. */
    record AssignBlock(AssignTarget target, List<Expr.Filter> filters, List<Node> body, Location location)
            implements Node {}

    record MacroDefinition(MacroSignature signature, List<Node> body, Location location) implements Node {}

    /** {@code {% call(params) macro(args) %}body{% endcall %}}: body becomes the macro's {@code caller()}. */
    record CallBlock(Expr.Call call, MacroSignature callerSignature, List<Node> body, Location location)
            implements Node {}

    /** {@code {% filter f | g %}body{% endfilter %}}. */
    record FilterBlock(List<Expr.Filter> filters, List<Node> body, Location location) implements Node {}

    /** {@code {% with a = x, b = y %}body{% endwith %}}. */
    record With(List<AssignTarget> targets, List<Expr> values, List<Node> body, Location location)
            implements Node {}

    /**
     * A body rendered in its own scope: transformers' {@code {% generation %}} block, which only marks
     * assistant text for training masks and otherwise renders its body unchanged.
     */
    record ScopedBlock(List<Node> body, Location location) implements Node {}

    record Break(Location location) implements Node {}

    record Continue(Location location) implements Node {}
}
