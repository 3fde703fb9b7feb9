package dev.qwen4j.format.gguf;

import java.util.List;

/** A GGUF array value: its element type and the elements, each of that type's Java form. */
public record GgufArray(GgufType elementType, List<?> values) {
    public GgufArray {
        values = List.copyOf(values);
    }

    public int size() {
        return values.size();
    }
}
