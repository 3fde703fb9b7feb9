package dev.qwen4j.template.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * A one-shot Python iterator, which is what jinja2's {@code map}, {@code select}, {@code unique},
 * {@code reverse} and similar filters return. Unlike a list it is always truthy, has no length, cannot
 * be indexed or serialised to JSON, and is exhausted after one pass; templates that forget
 * {@code |list} behave accordingly.
 */
final class PyIterator {

    private final String typeName;
    private List<Object> remaining;

    PyIterator(String typeName, List<Object> items) {
        this.typeName = typeName;
        this.remaining = new ArrayList<>(items);
    }

    static PyIterator generator(List<Object> items) {
        return new PyIterator("generator", items);
    }

    String typeName() {
        return typeName;
    }

    /** Everything not yet consumed; afterwards the iterator is empty. */
    List<Object> drain() {
        List<Object> rest = remaining;
        remaining = new ArrayList<>();
        return rest;
    }

    /** Consumes items up to and including the first equal to {@code item}, as Python's {@code in} does. */
    boolean consumeUntil(Object item) {
        for (int i = 0; i < remaining.size(); i++) {
            if (PyValues.equal(remaining.get(i), item)) {
                remaining = new ArrayList<>(remaining.subList(i + 1, remaining.size()));
                return true;
            }
        }
        remaining = new ArrayList<>();
        return false;
    }

    /** Python's {@code next(iterator)}, or null-marker {@link PyValues#NO_KEY} when exhausted. */
    Object next() {
        return remaining.isEmpty() ? PyValues.NO_KEY : remaining.removeFirst();
    }

    @Override
    public String toString() {
        return "<" + typeName + " object>";
    }
}
