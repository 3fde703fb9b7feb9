package dev.qwen4j.tokenizer;

import java.util.Arrays;

/** An append-only byte buffer, for assembling the bytes of decoded tokens. */
final class GrowableBytes {
    private byte[] bytes;
    private int size;

    GrowableBytes(int initialCapacity) {
        bytes = new byte[Math.max(8, initialCapacity)];
    }

    void add(int unsignedByte) {
        if (size == bytes.length) {
            bytes = Arrays.copyOf(bytes, size * 2);
        }
        bytes[size++] = (byte) unsignedByte;
    }

    void addAll(byte[] more) {
        addAll(more, 0, more.length);
    }

    void addAll(byte[] source, int offset, int length) {
        if (size + length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(size * 2, size + length));
        }
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    /** Forgets everything after the first {@code newSize} bytes. */
    void truncate(int newSize) {
        size = newSize;
    }

    /** Drops the first {@code count} bytes, keeping the rest at the front. */
    void discardFirst(int count) {
        System.arraycopy(bytes, count, bytes, 0, size - count);
        size -= count;
    }

    byte[] array() {
        return bytes;
    }

    int size() {
        return size;
    }
}
