package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A macro (or a call block's {@code caller}) bound to the scope it was defined in. Calling it binds the
 * arguments in a child of that scope, so the body sees variables defined around the definition but
 * not those of the caller, as in jinja2.
 */
final class Macro implements JinjaFunction, HasAttributes {

    private final MacroSignature signature;
    private final List<Node> body;
    private final Scope closure;
    private final Interpreter interpreter;

    Macro(MacroSignature signature, List<Node> body, Scope closure, Interpreter interpreter) {
        this.signature = signature;
        this.body = body;
        this.closure = closure;
        this.interpreter = interpreter;
    }

    @Override
    public Object call(Arguments arguments) {
        Scope scope = closure.child();
        List<MacroSignature.Parameter> parameters = signature.parameters();
        List<Object> positional = arguments.positional();
        if (positional.size() > parameters.size() && !signature.readsVarargs()) {
            throw new TemplateException("macro '" + signature.name() + "' takes not more than "
                    + parameters.size() + " argument(s)");
        }
        Map<String, Object> keywords = new LinkedHashMap<>(arguments.keywords());
        Object caller = keywords.remove("caller");
        if (caller != null && !signature.readsCaller()) {
            throw new TemplateException("macro '" + signature.name() + "' was invoked with a caller but does not use it");
        }
        for (int i = 0; i < parameters.size(); i++) {
            MacroSignature.Parameter parameter = parameters.get(i);
            Object value;
            if (i < positional.size()) {
                value = positional.get(i);
            } else if (keywords.containsKey(parameter.name())) {
                value = keywords.remove(parameter.name());
            } else if (parameter.defaultValue() != null) {
                // Defaults are evaluated at call time and may refer to earlier parameters.
                value = interpreter.evaluate(parameter.defaultValue(), scope);
            } else {
                value = Undefined.withMessage("parameter '" + parameter.name() + "' was not provided");
            }
            scope.set(parameter.name(), value);
        }
        if (!keywords.isEmpty() && !signature.readsKwargs()) {
            throw new TemplateException("macro '" + signature.name() + "' takes no keyword argument '"
                    + keywords.keySet().iterator().next() + "'");
        }
        if (signature.readsVarargs()) {
            scope.set("varargs", PyTuple.of(positional.size() > parameters.size()
                    ? positional.subList(parameters.size(), positional.size()) : List.of()));
        }
        if (signature.readsKwargs()) {
            scope.set("kwargs", keywords);
        }
        if (signature.readsCaller()) {
            scope.set("caller", caller != null ? caller
                    : Undefined.withMessage("No caller defined"));
        }
        return interpreter.render(body, scope);
    }

    @Override
    public Object attribute(String name) {
        return switch (name) {
            case "name" -> signature.name();
            case "arguments" -> PyTuple.of(new ArrayList<Object>(
                    signature.parameters().stream().map(MacroSignature.Parameter::name).toList()));
            case "catch_varargs" -> signature.readsVarargs();
            case "catch_kwargs" -> signature.readsKwargs();
            case "caller" -> signature.readsCaller();
            default -> Undefined.attribute(this, name);
        };
    }

    @Override
    public String toString() {
        return "<Macro '" + signature.name() + "'>";
    }
}
