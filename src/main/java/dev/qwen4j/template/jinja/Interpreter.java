package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Executes statement trees, writing output and applying jinja2's scoping rules. */
final class Interpreter {

    /** How a statement list finished: normally, or by {@code break}/{@code continue} bound for a loop. */
    private enum Flow { NEXT, BREAK, CONTINUE }

    private final ExpressionEvaluator evaluator = new ExpressionEvaluator();

    Object evaluate(Expr expression, Scope scope) {
        return evaluator.evaluate(expression, scope);
    }

    /** Renders a body in the given scope and returns its output. */
    String render(List<Node> body, Scope scope) {
        StringBuilder out = new StringBuilder();
        execute(body, scope, out);
        return out.toString();
    }

    private Flow execute(List<Node> body, Scope scope, StringBuilder out) {
        for (Node node : body) {
            Flow flow = executeLocated(node, scope, out);
            if (flow != Flow.NEXT) {
                return flow;
            }
        }
        return Flow.NEXT;
    }

    private Flow executeLocated(Node node, Scope scope, StringBuilder out) {
        try {
            return execute(node, scope, out);
        } catch (TemplateException error) {
            Location location = node.location();
            if (location != null) {
                error.locateIfUnknown(location.line(), location.column());
            }
            throw error;
        } catch (StackOverflowError tooDeep) {
            throw new TemplateException("template recursion too deep", tooDeep);
        }
    }

    private Flow execute(Node node, Scope scope, StringBuilder out) {
        return switch (node) {
            case Node.Text text -> {
                out.append(text.text());
                yield Flow.NEXT;
            }
            case Node.Output output -> {
                out.append(PyValues.str(evaluate(output.expression(), scope)));
                yield Flow.NEXT;
            }
            case Node.If conditional -> {
                for (Node.If.Branch branch : conditional.branches()) {
                    if (PyValues.truthy(evaluate(branch.condition(), scope))) {
                        yield execute(branch.body(), scope, out);
                    }
                }
                yield execute(conditional.otherwise(), scope, out);
            }
            case Node.For loop -> executeFor(loop, PyValues.iterate(evaluate(loop.iterable(), scope)), scope, out, 0);
            case Node.Assign assignment -> {
                assign(assignment.target(), evaluate(assignment.value(), scope), scope);
                yield Flow.NEXT;
            }
            case Node.AssignBlock block -> {
                StringBuilder body = new StringBuilder();
                Flow flow = execute(block.body(), scope.child(), body);
                assign(block.target(), applyFilters(block.filters(), body.toString(), scope), scope);
                yield flow;
            }
            case Node.MacroDefinition macro -> {
                scope.set(macro.signature().name(), new Macro(macro.signature(), macro.body(), scope, this));
                yield Flow.NEXT;
            }
            case Node.CallBlock block -> {
                Macro caller = new Macro(block.callerSignature(), block.body(), scope, this);
                Arguments arguments = evaluator.arguments(block.call().arguments(), scope);
                Map<String, Object> keywords = new LinkedHashMap<>(arguments.keywords());
                keywords.put("caller", caller);
                Object callee = evaluate(block.call().callee(), scope);
                if (!(callee instanceof JinjaFunction function)) {
                    throw callee instanceof Undefined undefined ? undefined.misuse()
                            : new TemplateException("'" + PyValues.typeName(callee) + "' object is not callable");
                }
                out.append(PyValues.str(function.call(new Arguments(arguments.positional(), keywords))));
                yield Flow.NEXT;
            }
            case Node.FilterBlock block -> {
                StringBuilder body = new StringBuilder();
                Flow flow = execute(block.body(), scope.child(), body);
                out.append(PyValues.str(applyFilters(block.filters(), body.toString(), scope)));
                yield flow;
            }
            case Node.With with -> {
                List<Object> values = new ArrayList<>();
                for (Expr value : with.values()) {
                    values.add(evaluate(value, scope));
                }
                Scope inner = scope.child();
                for (int i = 0; i < values.size(); i++) {
                    assign(with.targets().get(i), values.get(i), inner);
                }
                yield execute(with.body(), inner, out);
            }
            case Node.ScopedBlock block -> execute(block.body(), scope.child(), out);
            case Node.Break ignored -> Flow.BREAK;
            case Node.Continue ignored -> Flow.CONTINUE;
        };
    }

    /**
     * Runs a for loop over already materialised items. Every iteration gets a fresh child scope, so a
     * {@code set} in one iteration is invisible to the next and to the code after the loop.
     */
    private Flow executeFor(Node.For loop, List<Object> items, Scope scope, StringBuilder out, int depth0) {
        if (loop.condition() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope probe = scope.child();
                assign(loop.target(), item, probe);
                if (PyValues.truthy(evaluate(loop.condition(), probe))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            return execute(loop.otherwise(), scope, out);
        }
        Function<Object, String> recurse = !loop.recursive() ? null : children -> {
            StringBuilder nested = new StringBuilder();
            executeFor(loop, PyValues.iterate(children), scope, nested, depth0 + 1);
            return nested.toString();
        };
        LoopContext context = new LoopContext(items, depth0, recurse);
        for (int i = 0; i < items.size(); i++) {
            Scope iteration = scope.child();
            assign(loop.target(), items.get(i), iteration);
            context.moveTo(i);
            iteration.set("loop", context);
            if (execute(loop.body(), iteration, out) == Flow.BREAK) {
                break;
            }
        }
        return Flow.NEXT;
    }

    private Object applyFilters(List<Expr.Filter> filters, Object value, Scope scope) {
        for (Expr.Filter filter : filters) {
            value = evaluator.applyFilter(filter, value, scope);
        }
        return value;
    }

    private void assign(AssignTarget target, Object value, Scope scope) {
        switch (target) {
            case AssignTarget.Variable variable -> scope.set(variable.name(), value);
            case AssignTarget.Unpack unpack -> {
                List<Object> items = PyValues.iterate(value);
                int expected = unpack.targets().size();
                if (items.size() < expected) {
                    throw new TemplateException("not enough values to unpack (expected " + expected + ", got "
                            + items.size() + ")");
                }
                if (items.size() > expected) {
                    throw new TemplateException("too many values to unpack (expected " + expected + ")");
                }
                for (int i = 0; i < expected; i++) {
                    assign(unpack.targets().get(i), items.get(i), scope);
                }
            }
            case AssignTarget.NamespaceAttribute attribute -> {
                if (!(scope.lookup(attribute.namespace()) instanceof Namespace namespace)) {
                    throw new TemplateException("cannot assign attribute on non-namespace object");
                }
                namespace.set(attribute.attribute(), value);
            }
        }
    }
}
