package dev.qwen4j.template.jinja;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * A Python tuple: an immutable sequence that prints as {@code (a, b)} and never equals a list, which is
 * why it is a distinct type rather than a plain {@link List}.
 */
final class PyTuple extends AbstractList<Object> implements RandomAccess {

    static final PyTuple EMPTY = new PyTuple(List.of());

    private final List<Object> items;

    private PyTuple(List<Object> items) {
        this.items = items;
    }

    static PyTuple of(List<?> items) {
        // Copy through an array because List.copyOf rejects the nulls that stand for Python None.
        return new PyTuple(java.util.Collections.unmodifiableList(java.util.Arrays.asList(items.toArray())));
    }

    static PyTuple of(Object... items) {
        return new PyTuple(java.util.Collections.unmodifiableList(java.util.Arrays.asList(items.clone())));
    }

    @Override
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public int size() {
        return items.size();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PyTuple && super.equals(other);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 7;
    }
}
