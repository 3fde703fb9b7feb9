package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Evaluates expression trees to Python-model values against a scope. */
final class ExpressionEvaluator {

    /** Filters that must see Markup as Markup: they keep or create it instead of treating it as text. */
    private static final Set<String> MARKUP_AWARE_FILTERS = Set.of("safe", "escape", "e", "format");

    Object evaluate(Expr expression, Scope scope) {
        return switch (expression) {
            case Expr.Literal literal -> literal.value();
            case Expr.Name name -> scope.lookup(name.name());
            case Expr.ListLiteral list -> evaluateAll(list.items(), scope);
            case Expr.TupleLiteral tuple -> PyTuple.of(evaluateAll(tuple.items(), scope));
            case Expr.DictLiteral dict -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < dict.keys().size(); i++) {
                    map.put(evaluate(dict.keys().get(i), scope), evaluate(dict.values().get(i), scope));
                }
                yield map;
            }
            case Expr.Attribute attribute -> ValueAccess.attribute(plain(attribute.target(), scope), attribute.name());
            case Expr.Item item -> ValueAccess.item(plain(item.target(), scope), plain(item.key(), scope));
            case Expr.Slice slice -> new PySlice(evaluateOptional(slice.start(), scope),
                    evaluateOptional(slice.stop(), scope), evaluateOptional(slice.step(), scope));
            case Expr.Call call -> call(evaluate(call.callee(), scope), arguments(call.arguments(), scope));
            case Expr.Filter filter -> applyFilter(filter, evaluate(filter.value(), scope), scope);
            case Expr.Test test -> BuiltinTests.apply(test.name(), plain(test.value(), scope),
                    plainArguments(arguments(test.arguments(), scope)));
            case Expr.Not not -> !PyValues.truthy(evaluate(not.operand(), scope));
            case Expr.Negate negate -> PyOperators.negate(evaluate(negate.operand(), scope));
            case Expr.Positive positive -> PyOperators.positive(evaluate(positive.operand(), scope));
            case Expr.Binary binary -> PyOperators.apply(binary.operator(), evaluate(binary.left(), scope),
                    evaluate(binary.right(), scope));
            case Expr.Concat concat -> {
                StringBuilder joined = new StringBuilder();
                for (Expr part : concat.parts()) {
                    joined.append(PyValues.str(evaluate(part, scope)));
                }
                yield joined.toString();
            }
            case Expr.And and -> {
                Object left = evaluate(and.left(), scope);
                yield PyValues.truthy(left) ? evaluate(and.right(), scope) : left;
            }
            case Expr.Or or -> {
                Object left = evaluate(or.left(), scope);
                yield PyValues.truthy(left) ? left : evaluate(or.right(), scope);
            }
            case Expr.Compare compare -> compare(compare, scope);
            case Expr.Conditional conditional -> {
                if (PyValues.truthy(evaluate(conditional.condition(), scope))) {
                    yield evaluate(conditional.whenTrue(), scope);
                }
                yield conditional.whenFalse() != null ? evaluate(conditional.whenFalse(), scope)
                        : Undefined.withMessage("the inline if-expression evaluated to false and no else section was defined.");
            }
        };
    }

    /** Applies a filter to an already computed value (filter blocks and filtered block sets pass text). */
    Object applyFilter(Expr.Filter filter, Object value, Scope scope) {
        Object input = MARKUP_AWARE_FILTERS.contains(filter.name()) ? value : Markup.plain(value);
        return BuiltinFilters.apply(filter.name(), input, plainArguments(arguments(filter.arguments(), scope)));
    }

    /** Evaluates to a plain Python value: Markup's special behaviour only matters to + and %. */
    private Object plain(Expr expression, Scope scope) {
        return Markup.plain(evaluate(expression, scope));
    }

    private static Arguments plainArguments(Arguments arguments) {
        if (arguments.positional().stream().noneMatch(Markup.class::isInstance)
                && arguments.keywords().values().stream().noneMatch(Markup.class::isInstance)) {
            return arguments;
        }
        Map<String, Object> keywords = new LinkedHashMap<>();
        arguments.keywords().forEach((name, value) -> keywords.put(name, Markup.plain(value)));
        return new Arguments(arguments.positional().stream().map(Markup::plain).toList(), keywords);
    }

    private Object compare(Expr.Compare compare, Scope scope) {
        Object left = evaluate(compare.first(), scope);
        for (Expr.Compare.Comparison comparison : compare.rest()) {
            Object right = evaluate(comparison.operand(), scope);
            if (!PyOperators.compare(comparison.operator(), left, right)) {
                return false;
            }
            left = right;
        }
        return true;
    }

    private static Object call(Object callee, Arguments arguments) {
        if (callee instanceof JinjaFunction function) {
            return function.call(arguments);
        }
        if (callee instanceof Undefined undefined) {
            throw undefined.misuse();
        }
        throw new TemplateException("'" + PyValues.typeName(callee) + "' object is not callable");
    }

    Arguments arguments(CallArguments call, Scope scope) {
        if (call == CallArguments.NONE) {
            return Arguments.none();
        }
        List<Object> positional = evaluateAll(call.positional(), scope);
        Map<String, Object> keywords = new LinkedHashMap<>();
        for (CallArguments.Keyword keyword : call.keywords()) {
            keywords.put(keyword.name(), evaluate(keyword.value(), scope));
        }
        if (call.spreadPositional() != null) {
            positional.addAll(PyValues.iterate(evaluate(call.spreadPositional(), scope)));
        }
        if (call.spreadKeywords() != null) {
            Object spread = evaluate(call.spreadKeywords(), scope);
            if (!(spread instanceof Map<?, ?> map)) {
                throw new TemplateException("argument after ** must be a mapping, not " + PyValues.typeName(spread));
            }
            map.forEach((key, value) -> keywords.put(PyValues.str(key), value));
        }
        return new Arguments(positional, keywords);
    }

    private List<Object> evaluateAll(List<Expr> expressions, Scope scope) {
        List<Object> values = new ArrayList<>(expressions.size());
        for (Expr expression : expressions) {
            values.add(evaluate(expression, scope));
        }
        return values;
    }

    private Object evaluateOptional(Expr expression, Scope scope) {
        return expression == null ? null : evaluate(expression, scope);
    }
}
