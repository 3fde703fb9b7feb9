package dev.qwen4j.template.jinja;

import java.util.List;

/** Expression syntax tree, one record per construct of jinja2's expression grammar. */
sealed interface Expr {

    record Literal(Object value) implements Expr {}

    record Name(String name) implements Expr {}

    record ListLiteral(List<Expr> items) implements Expr {}

    record TupleLiteral(List<Expr> items) implements Expr {}

    record DictLiteral(List<Expr> keys, List<Expr> values) implements Expr {}

    /** {@code target.name}: Python attribute first, then item, as jinja2's sandbox getattr does. */
    record Attribute(Expr target, String name) implements Expr {}

    /** {@code target[key]}: item first, then attribute for string keys, as jinja2's getitem does. */
    record Item(Expr target, Expr key) implements Expr {}

    /** {@code start:stop:step} inside brackets; any part may be null. */
    record Slice(Expr start, Expr stop, Expr step) implements Expr {}

    record Call(Expr callee, CallArguments arguments) implements Expr {}

    /** {@code value | name(args)}; value is null for filter blocks and filtered block sets. */
    record Filter(Expr value, String name, CallArguments arguments) implements Expr {}

    /** {@code value is name(args)}; negated tests are wrapped in {@link Not}. */
    record Test(Expr value, String name, CallArguments arguments) implements Expr {}

    record Not(Expr operand) implements Expr {}

    record Negate(Expr operand) implements Expr {}

    record Positive(Expr operand) implements Expr {}

    record Binary(BinaryOperator operator, Expr left, Expr right) implements Expr {}

    /** {@code a ~ b ~ c}: string conversion and concatenation of every part. */
    record Concat(List<Expr> parts) implements Expr {}

    /** Python {@code and}: yields the left operand when it is falsy, else the right. */
    record And(Expr left, Expr right) implements Expr {}

    /** Python {@code or}: yields the left operand when it is truthy, else the right. */
    record Or(Expr left, Expr right) implements Expr {}

    /** A comparison chain {@code a < b <= c}, true when every adjacent pair compares true. */
    record Compare(Expr first, List<Comparison> rest) implements Expr {
        record Comparison(CompareOperator operator, Expr operand) {}
    }

    /** {@code whenTrue if condition else whenFalse}; whenFalse is null when there is no else. */
    record Conditional(Expr condition, Expr whenTrue, Expr whenFalse) implements Expr {}

    enum BinaryOperator {
        ADD, SUBTRACT, MULTIPLY, DIVIDE, FLOOR_DIVIDE, MODULO, POWER
    }

    enum CompareOperator {
        EQUAL("=="), NOT_EQUAL("!="), LESS("<"), LESS_EQUAL("<="), GREATER(">"), GREATER_EQUAL(">="),
        IN("in"), NOT_IN("not in");

        private final String symbol;

        CompareOperator(String symbol) {
            this.symbol = symbol;
        }

        String symbol() {
            return symbol;
        }
    }
}
