package dev.qwen4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The BPE model's token strings, stored as UTF-8 in one pooled byte array with an open-addressing hash index.
 *
 * <p>Keeping bytes instead of 151k {@code String}s and a boxed {@code HashMap} lets the loader resolve
 * 151k merges straight from the file's bytes, without creating a string per merge part; that, and the smaller
 * heap it leaves behind, is most of what keeps loading well under a second on a cold JVM.
 */
final class Vocabulary {
    /** Ids are array indexes here; a bound far above any real vocabulary keeps a corrupt file from exhausting memory. */
    static final int MAX_ID = (1 << 24) - 1;

    private final byte[] pool;
    private final int[] offsetById;
    private final int[] lengthById;
    /** Hash slots holding id + 1, with 0 for an empty slot. */
    private final int[] slots;
    private final int mask;

    private Vocabulary(byte[] pool, int[] offsetById, int[] lengthById, int[] slots) {
        this.pool = pool;
        this.offsetById = offsetById;
        this.lengthById = lengthById;
        this.slots = slots;
        this.mask = slots.length - 1;
    }

    /** One past the largest id (ids need not be contiguous). */
    int idLimit() {
        return offsetById.length;
    }

    boolean contains(int id) {
        return id >= 0 && id < offsetById.length && offsetById[id] >= 0;
    }

    /** The id of the token with these UTF-8 bytes, or -1. */
    int find(byte[] bytes, int offset, int length) {
        int slot = spread(hash(bytes, offset, length)) & mask;
        int entry;
        while ((entry = slots[slot]) != 0) {
            int id = entry - 1;
            if (lengthById[id] == length && Arrays.equals(pool, offsetById[id], offsetById[id] + length,
                    bytes, offset, offset + length)) {
                return id;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    int find(String token) {
        byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
        return find(bytes, 0, bytes.length);
    }

    /** The token string of {@code id}, or null when the vocabulary has no such id. */
    String token(int id) {
        return contains(id) ? new String(pool, offsetById[id], lengthById[id], StandardCharsets.UTF_8) : null;
    }

    /**
     * Appends the bytes that token {@code id} stands for to {@code out}: its characters mapped back through the
     * byte-level alphabet or, when some character is outside that alphabet, its own UTF-8 (the reference
     * {@code ByteLevel} decoder's rule). Reads the pooled UTF-8 directly, so decoding allocates nothing per token.
     */
    void appendDecodedBytes(int id, GrowableBytes out) {
        int start = offsetById[id];
        int end = start + lengthById[id];
        int mark = out.size();
        for (int i = start; i < end; ) {
            int lead = pool[i] & 0xFF;
            int c;
            if (lead < 0x80) {
                c = lead;
                i += 1;
            } else if (lead >= 0xC0 && lead < 0xE0 && i + 1 < end) {
                c = ((lead & 0x1F) << 6) | (pool[i + 1] & 0x3F);
                i += 2;
            } else {
                c = -1; // three bytes or more: beyond the alphabet
            }
            int b = c < 0 ? -1 : ByteLevelAlphabet.byteOf((char) c);
            if (b < 0) {
                out.truncate(mark);
                out.addAll(pool, start, end - start);
                return;
            }
            out.add(b);
        }
    }

    static int hash(byte[] bytes, int offset, int length) {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + bytes[i];
        }
        return h;
    }

    private static int spread(int h) {
        int mixed = h * 0x9E37_79B9;
        return mixed ^ (mixed >>> 16);
    }

    /** Collects (token bytes, id) entries, then freezes them into a {@link Vocabulary}. */
    static final class Builder {
        private final GrowableBytes pool = new GrowableBytes(1 << 20);
        private final GrowableInts entries = new GrowableInts(1 << 18); // (offset, length, id) triples
        private int maxId = -1;

        void add(byte[] bytes, int offset, int length, int id) {
            if (id < 0 || id > MAX_ID) {
                throw new IllegalArgumentException("token id " + id + " outside 0.." + MAX_ID);
            }
            entries.add(pool.size());
            entries.add(length);
            entries.add(id);
            pool.addAll(bytes, offset, length);
            maxId = Math.max(maxId, id);
        }

        void add(String token, int id) {
            byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
            add(bytes, 0, bytes.length, id);
        }

        Vocabulary build() {
            int count = entries.size() / 3;
            int[] offsetById = new int[maxId + 1];
            int[] lengthById = new int[maxId + 1];
            Arrays.fill(offsetById, -1);
            int[] slots = new int[Integer.highestOneBit(Math.max(4, count * 2 - 1)) << 1];
            byte[] bytes = Arrays.copyOf(pool.array(), pool.size());
            Vocabulary vocabulary = new Vocabulary(bytes, offsetById, lengthById, slots);
            for (int e = 0; e < count; e++) {
                int offset = entries.get(3 * e);
                int length = entries.get(3 * e + 1);
                int id = entries.get(3 * e + 2);
                offsetById[id] = offset;
                lengthById[id] = length;
                vocabulary.index(id, bytes, offset, length);
            }
            return vocabulary;
        }
    }

    /** Points the slot of these bytes at {@code id}; a token listed twice keeps its last id, as a JSON map would. */
    private void index(int id, byte[] bytes, int offset, int length) {
        int slot = spread(hash(bytes, offset, length)) & mask;
        int entry;
        while ((entry = slots[slot]) != 0) {
            int other = entry - 1;
            if (other != id && lengthById[other] == length && Arrays.equals(pool, offsetById[other],
                    offsetById[other] + length, bytes, offset, offset + length)) {
                break;
            }
            slot = (slot + 1) & mask;
        }
        slots[slot] = id + 1;
    }
}
