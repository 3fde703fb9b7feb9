package dev.qwen4j.template.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The object {@code namespace(...)} returns: the only value whose attributes a template may assign
 * ({@code {% set ns.x = 1 %}}), which is how state escapes a for loop's per-iteration scope.
 */
final class Namespace implements HasAttributes {

    private final Map<String, Object> attributes = new LinkedHashMap<>();

    Namespace(Map<?, ?> initial) {
        initial.forEach((name, value) -> attributes.put(PyValues.str(name), value));
    }

    @Override
    public Object attribute(String name) {
        if (attributes.containsKey(name)) {
            return attributes.get(name);
        }
        return Undefined.attribute(this, name);
    }

    void set(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public String toString() {
        return "<Namespace " + PyValues.repr(attributes) + ">";
    }
}
