package dev.qwen4j.template.jinja;

import dev.qwen4j.template.TemplateException;

/**
 * jinja2's default {@code Undefined}: what a missing variable, attribute or item evaluates to. It renders
 * as the empty string, is falsy, iterates as empty and has length 0, but any other use (attribute access,
 * arithmetic, calling it) fails with the message describing what was missing.
 */
public final class Undefined {

    private final String message;

    private Undefined(String message) {
        this.message = message;
    }

    static Undefined variable(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    /** A missing attribute (or string-keyed item) of {@code owner}. */
    static Undefined attribute(Object owner, String name) {
        return new Undefined(PyStrings.repr(objectDescription(owner)) + " has no attribute " + PyStrings.repr(name));
    }

    /** A missing non-string-keyed item (typically a list index) of {@code owner}. */
    static Undefined element(Object owner, Object key) {
        return new Undefined(objectDescription(owner) + " has no element " + PyValues.repr(key));
    }

    static Undefined withMessage(String message) {
        return new Undefined(message);
    }

    /** The error to raise when a template uses this value in a way only a defined value supports. */
    TemplateException misuse() {
        return new TemplateException(message);
    }

    String message() {
        return message;
    }

    /** jinja2's {@code object_type_repr}: "None" or "dict object" style descriptions. */
    private static String objectDescription(Object owner) {
        return owner == null ? "None" : PyValues.typeName(owner) + " object";
    }

    @Override
    public String toString() {
        return "";
    }
}
