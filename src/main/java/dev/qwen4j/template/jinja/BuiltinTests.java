package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** jinja2's built-in tests ({@code x is defined}, {@code x is string}, {@code x is divisibleby 3}, …). */
final class BuiltinTests {

    @FunctionalInterface
    interface Test {
        boolean test(Object value, Arguments arguments);
    }

    private static final Map<String, Test> TESTS = new HashMap<>();

    static {
        register(v -> !(v instanceof Undefined), "defined");
        register(v -> v instanceof Undefined, "undefined");
        register(v -> v == null, "none");
        register(v -> v instanceof Boolean, "boolean");
        register(Boolean.TRUE::equals, "true");
        register(Boolean.FALSE::equals, "false");
        register(PyNumbers::isInteger, "integer");
        register(PyNumbers::isFloat, "float");
        register(PyNumbers::isNumber, "number");
        register(v -> v instanceof String || v instanceof Markup, "string");
        register(v -> v instanceof Map<?, ?>, "mapping");
        register(v -> v instanceof String || v instanceof Markup || v instanceof Collection<?> || v instanceof Map<?, ?>
                || v instanceof Undefined || v instanceof PyIterator || v instanceof Iterable<?>, "iterable");
        // Python's "has __len__ and __getitem__", which dicts and jinja2's Undefined also satisfy.
        register(v -> v instanceof String || v instanceof Markup || v instanceof List<?> || v instanceof Map<?, ?>
                || v instanceof Undefined, "sequence");
        register(v -> v instanceof JinjaFunction, "callable");
        register(v -> PyValues.str(v).codePoints().anyMatch(PyStrings::isCased)
                && PyValues.str(v).codePoints().noneMatch(cp -> Character.isUpperCase(cp) || Character.isTitleCase(cp)),
                "lower");
        register(v -> PyValues.str(v).codePoints().anyMatch(PyStrings::isCased)
                && PyValues.str(v).codePoints().noneMatch(cp -> Character.isLowerCase(cp) || Character.isTitleCase(cp)),
                "upper");
        // Nothing is HTML-escaped markup: templates here render with autoescape off.
        register(v -> false, "escaped");
        register(v -> PyValues.equal(PyOperators.modulo(v, 2L), 1L), "odd");
        register(v -> PyValues.equal(PyOperators.modulo(v, 2L), 0L), "even");
        registerWithArgument((v, other) -> sameObject(v, other), "sameas");
        registerWithArgument((v, n) -> PyValues.equal(PyOperators.modulo(v, n), 0L), "divisibleby");
        registerWithArgument(PyValues::equal, "eq", "equalto", "==");
        registerWithArgument((a, b) -> !PyValues.equal(a, b), "ne", "!=");
        registerWithArgument((a, b) -> PyOperators.compare(Expr.CompareOperator.LESS, a, b), "lt", "lessthan", "<");
        registerWithArgument((a, b) -> PyOperators.compare(Expr.CompareOperator.LESS_EQUAL, a, b), "le", "<=");
        registerWithArgument((a, b) -> PyOperators.compare(Expr.CompareOperator.GREATER, a, b),
                "gt", "greaterthan", ">");
        registerWithArgument((a, b) -> PyOperators.compare(Expr.CompareOperator.GREATER_EQUAL, a, b), "ge", ">=");
        registerWithArgument((v, container) -> PyOperators.contains(container, v), "in");
        register(v -> v instanceof String s && BuiltinFilters.exists(s), "filter");
        register(v -> v instanceof String s && exists(s), "test");
    }

    private BuiltinTests() {}

    static boolean exists(String name) {
        return TESTS.containsKey(name);
    }

    static boolean apply(String name, Object value, Arguments arguments) {
        Test test = TESTS.get(name);
        if (test == null) {
            throw new TemplateException("No test named '" + name + "' found.");
        }
        return test.test(value, arguments);
    }

    private static void register(java.util.function.Predicate<Object> predicate, String name) {
        TESTS.put(name, (value, arguments) -> {
            arguments.bind(name, 0);
            return predicate.test(value);
        });
    }

    private static void registerWithArgument(java.util.function.BiPredicate<Object, Object> predicate,
                                             String... names) {
        for (String name : names) {
            TESTS.put(name, (value, arguments) -> predicate.test(value, arguments.bind(name, 1, "other").get(0)));
        }
    }

    /** Python's {@code is}: identity, which for None, bools and small values means equal value and type. */
    private static boolean sameObject(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null || a.getClass() != b.getClass()) {
            return false;
        }
        return a instanceof Boolean || a instanceof String || PyNumbers.isNumber(a) ? a.equals(b) : false;
    }
}
