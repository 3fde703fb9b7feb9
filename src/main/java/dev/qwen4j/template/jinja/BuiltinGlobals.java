package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The functions every template can call: {@code range}, {@code dict} and {@code namespace}. */
final class BuiltinGlobals {

    /** jinja2's sandbox refuses larger ranges to bound memory use. */
    private static final long MAX_RANGE = 100_000;

    private BuiltinGlobals() {}

    static void defineIn(Scope scope) {
        scope.set("range", (JinjaFunction) BuiltinGlobals::range);
        scope.set("dict", (JinjaFunction) arguments -> dictOf(arguments, "dict"));
        scope.set("namespace", (JinjaFunction) arguments -> new Namespace(dictOf(arguments, "namespace")));
    }

    private static Object range(Arguments arguments) {
        if (!arguments.keywords().isEmpty()) {
            throw new TemplateException("range() takes no keyword arguments");
        }
        List<Object> bounds = arguments.positional();
        if (bounds.isEmpty() || bounds.size() > 3) {
            throw new TemplateException("range expected 1 to 3 arguments, got " + bounds.size());
        }
        long start = bounds.size() == 1 ? 0 : BuiltinMethods.integer(bounds.get(0), "range");
        long stop = BuiltinMethods.integer(bounds.get(bounds.size() == 1 ? 0 : 1), "range");
        long step = bounds.size() == 3 ? BuiltinMethods.integer(bounds.get(2), "range") : 1;
        if (step == 0) {
            throw new TemplateException("range() arg 3 must not be zero");
        }
        long count = step > 0 ? Math.max(0, (stop - start + step - 1) / step)
                : Math.max(0, (start - stop - step - 1) / -step);
        if (count > MAX_RANGE) {
            throw new TemplateException(
                    "Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX_RANGE + ").");
        }
        List<Object> values = new ArrayList<>((int) count);
        for (long i = 0, value = start; i < count; i++, value += step) {
            values.add(value);
        }
        return values;
    }

    /** Python's {@code dict(mapping_or_pairs, **keywords)}, preserving insertion order. */
    private static Map<Object, Object> dictOf(Arguments arguments, String function) {
        Map<Object, Object> result = new LinkedHashMap<>();
        List<Object> positional = arguments.positional();
        if (positional.size() > 1) {
            throw new TemplateException(function + "() expected at most 1 positional argument, got " + positional.size());
        }
        if (!positional.isEmpty()) {
            Object source = positional.getFirst();
            if (source instanceof Map<?, ?> map) {
                result.putAll(map);
            } else {
                for (Object pair : PyValues.iterate(source)) {
                    List<Object> entry = PyValues.iterate(pair);
                    if (entry.size() != 2) {
                        throw new TemplateException(function + "() sequence elements must have length 2");
                    }
                    result.put(entry.get(0), entry.get(1));
                }
            }
        }
        result.putAll(arguments.keywords());
        return result;
    }
}
