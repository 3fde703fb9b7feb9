package dev.qwen4j.runtime.sampling;

import java.util.Arrays;
import java.util.Objects;

/** A growable list of primitive ints: amortized O(1) appends without boxing. */
final class IntList {
    private int[] elements;
    private int size;

    IntList(int initialCapacity) {
        elements = new int[Math.max(1, initialCapacity)];
    }

    void add(int value) {
        if (size == elements.length) {
            elements = Arrays.copyOf(elements, elements.length * 2);
        }
        elements[size++] = value;
    }

    int get(int index) {
        return elements[Objects.checkIndex(index, size)];
    }

    void clear() {
        size = 0;
    }

    int size() {
        return size;
    }
}
