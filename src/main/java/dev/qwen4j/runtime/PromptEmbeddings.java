package dev.qwen4j.runtime;

import java.util.Objects;

/**
 * Model inputs of a prompt beyond its token ids, for images and video in Qwen3-VL: prompt rows whose input
 * embedding is given directly (the vision encoder's output at the image placeholder tokens) and the M-RoPE
 * (t, h, w) positions of the prompt. The placeholder ids of two different images are equal, so KV blocks
 * from the first given row on are never shared through the prefix cache.
 *
 * @param rows          prompt indices whose embedding is given, strictly increasing
 * @param embeddings    [rows.length × hidden] those embeddings, row after row
 * @param positions     [3][prompt length] rotary positions, or null for text positions (the index itself)
 * @param positionDelta a generated token at cache position p gets rotary position p + positionDelta
 *                      (Qwen3-VL's rope delta: images take fewer positions than tokens)
 */
public record PromptEmbeddings(int[] rows, float[] embeddings, int[][] positions, int positionDelta) {
    public PromptEmbeddings {
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(embeddings, "embeddings");
        for (int i = 1; i < rows.length; i++) {
            if (rows[i] <= rows[i - 1]) throw new IllegalArgumentException("embedding rows must increase strictly");
        }
        if (positions != null && positions.length != 3) throw new IllegalArgumentException("positions needs 3 rows (t, h, w)");
    }

    /** The first prompt index whose KV depends on more than token ids (Integer.MAX_VALUE: none). */
    int firstEmbeddedRow() {
        return rows.length == 0 ? Integer.MAX_VALUE : rows[0];
    }

    /** Checks the shapes against a prompt and the model's hidden size. */
    void check(int promptLength, int hidden) {
        if (rows.length > 0 && (rows[0] < 0 || rows[rows.length - 1] >= promptLength)) {
            throw new IllegalArgumentException("embedding rows must lie in the prompt [0, " + promptLength + ")");
        }
        if (embeddings.length != (long) rows.length * hidden) {
            throw new IllegalArgumentException("embeddings must hold " + rows.length + " × " + hidden + " floats, not " + embeddings.length);
        }
        if (positions != null) {
            for (int[] axis : positions) {
                if (axis.length != promptLength) throw new IllegalArgumentException("each positions row needs " + promptLength + " entries");
            }
        }
    }
}
