package dev.qwen4j.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Merge rules as read, in rank order, each a (left, right) pair of UTF-8 token texts, waiting to be resolved
 * against the vocabulary (which a {@code tokenizer.json} may list after the merges).
 */
final class MergeRuleList {
    private final GrowableBytes text = new GrowableBytes(1 << 20);
    private final GrowableInts bounds = new GrowableInts(1 << 19); // (left offset, left length, right length)

    void add(byte[] left, int leftOffset, int leftLength, byte[] right, int rightOffset, int rightLength) {
        bounds.add(text.size());
        bounds.add(leftLength);
        bounds.add(rightLength);
        text.addAll(left, leftOffset, leftLength);
        text.addAll(right, rightOffset, rightLength);
    }

    /** Adds a rule written {@code "left right"} (the older tokenizer.json form, and GGUF's). */
    boolean addSpaceSeparated(byte[] bytes, int offset, int length) {
        // Search from the second byte so that a left part starting with a space stays intact, as GGUF readers do.
        for (int i = offset + 1; i < offset + length - 1; i++) {
            if (bytes[i] == ' ') {
                add(bytes, offset, i - offset, bytes, i + 1, offset + length - i - 1);
                return true;
            }
        }
        return false;
    }

    int size() {
        return bounds.size() / 3;
    }

    /**
     * Looks up every rule's parts and result in {@code vocabulary}.
     *
     * @throws TokenizerException naming {@code field.rank} when a part or the merged token is not in the vocabulary
     */
    MergeTable resolve(Vocabulary vocabulary, Path file, String field) {
        int count = size();
        MergeTable table = new MergeTable(count);
        byte[] all = text.array();
        for (int rank = 0; rank < count; rank++) {
            int leftOffset = bounds.get(3 * rank);
            int leftLength = bounds.get(3 * rank + 1);
            int rightLength = bounds.get(3 * rank + 2);
            int rightOffset = leftOffset + leftLength;
            int leftId = vocabulary.find(all, leftOffset, leftLength);
            int rightId = vocabulary.find(all, rightOffset, rightLength);
            // Left and right are stored back to back, so the merged token's bytes are already contiguous.
            int mergedId = vocabulary.find(all, leftOffset, leftLength + rightLength);
            if (leftId < 0 || rightId < 0 || mergedId < 0) {
                String left = new String(all, leftOffset, leftLength, StandardCharsets.UTF_8);
                String right = new String(all, rightOffset, rightLength, StandardCharsets.UTF_8);
                String missing = leftId < 0 ? left : rightId < 0 ? right : left + right;
                throw new TokenizerException(file, field + "." + rank, "merge \"" + left + " " + right
                        + "\" uses \"" + missing + "\", which is not in the vocabulary");
            }
            table.put(leftId, rightId, rank, mergedId);
        }
        return table;
    }
}
