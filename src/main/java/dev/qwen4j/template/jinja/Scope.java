package dev.qwen4j.template.jinja;

import java.util.HashMap;
import java.util.Map;

/**
 * A frame of template variables. Lookups fall through to the parent; assignments always land in this
 * frame, which is how jinja2 keeps a {@code set} inside a for-loop iteration, macro or with block
 * from leaking out while a {@code set} inside an {@code if} stays visible after it.
 */
final class Scope {

    private final Scope parent;
    private final Map<String, Object> variables = new HashMap<>();

    private Scope(Scope parent) {
        this.parent = parent;
    }

    static Scope root() {
        return new Scope(null);
    }

    Scope child() {
        return new Scope(this);
    }

    /** The variable's value, or an {@link Undefined} naming it when no enclosing frame defines it. */
    Object lookup(String name) {
        for (Scope scope = this; scope != null; scope = scope.parent) {
            Object value = scope.variables.get(name);
            if (value != null || scope.variables.containsKey(name)) {
                return value;
            }
        }
        return Undefined.variable(name);
    }

    void set(String name, Object value) {
        variables.put(name, value);
    }
}
