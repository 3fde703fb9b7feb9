package dev.qwen4j.runtime.sampling;

import java.util.Arrays;

/**
 * The tokens still in the running after top-k / top-p / min-p, with their unnormalized weights
 * {@code exp(score - maxScore)}. Buffers grow to the largest candidate set seen and are then reused, so steady-state
 * sampling allocates nothing.
 */
final class Candidates {
    private int[] ids = new int[64];
    private double[] weights = new double[64];
    private long[] sortKeys = new long[0];
    private int size;

    void clear() {
        size = 0;
    }

    int size() {
        return size;
    }

    int id(int index) {
        return ids[index];
    }

    double weight(int index) {
        return weights[index];
    }

    void add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
            weights = Arrays.copyOf(weights, size * 2);
        }
        ids[size++] = id;
    }

    /** Adds every token of {@code scores[0 .. limit)} whose score is finite and {@code >= threshold}. */
    void addAtLeast(float[] scores, int limit, float threshold) {
        for (int i = 0; i < limit; i++) {
            float score = scores[i];
            if (score >= threshold && score > Float.NEGATIVE_INFINITY) {
                add(i);
            }
        }
    }

    /**
     * Orders candidates {@code [from, size)} by descending score, ties by ascending id (torch leaves tie order
     * unspecified; this makes it reproducible). Sorts packed primitive keys rather than boxed indices.
     */
    void sortByScoreDescending(float[] scores, int from) {
        if (sortKeys.length < size) {
            sortKeys = new long[ids.length];
        }
        long[] keys = sortKeys;
        for (int i = from; i < size; i++) {
            int id = ids[i];
            keys[i] = ((long) ~orderPreservingBits(scores[id]) << 32) | id;
        }
        Arrays.sort(keys, from, size);
        for (int i = from; i < size; i++) {
            ids[i] = (int) keys[i];
        }
    }

    /** Sets each weight to {@code exp(score - maxScore)} and returns their sum. */
    double computeWeights(float[] scores, float maxScore) {
        double total = 0.0;
        for (int i = 0; i < size; i++) {
            double weight = Math.exp((double) scores[ids[i]] - maxScore);
            weights[i] = weight;
            total += weight;
        }
        return total;
    }

    /**
     * Top-p: a token stays if the weight of all tokens ranked before it is below {@code targetWeight}, and the top
     * token always stays. Candidates {@code [0, sortedFrom)} rank before all others and are known to stay;
     * {@code [sortedFrom, size)} are in descending order. If rounding leaves the whole set short of the target,
     * all are kept.
     */
    void keepNucleus(int sortedFrom, double targetWeight) {
        double before = 0.0;
        for (int i = 0; i < sortedFrom; i++) {
            before += weights[i];
        }
        for (int i = sortedFrom; i < size; i++) {
            if (before >= targetWeight && i > 0) {
                size = i;
                return;
            }
            before += weights[i];
        }
    }

    /** Min-p: drops candidates lighter than {@code minWeight}, keeping order (the top token weighs 1, so it stays). */
    void dropBelow(double minWeight) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (weights[i] >= minWeight) {
                ids[kept] = ids[i];
                weights[kept] = weights[i];
                kept++;
            }
        }
        size = kept;
    }

    double totalWeight() {
        double total = 0.0;
        for (int i = 0; i < size; i++) {
            total += weights[i];
        }
        return total;
    }

    /** The candidate where the cumulative weight first exceeds {@code point}, a uniform draw in [0, total). */
    int pick(double point) {
        double cumulative = 0.0;
        for (int i = 0; i < size; i++) {
            cumulative += weights[i];
            if (point < cumulative) {
                return ids[i];
            }
        }
        // Rounding can leave point a hair above the summed weights: fall back to the last token with any weight.
        for (int i = size - 1; i >= 0; i--) {
            if (weights[i] > 0.0) {
                return ids[i];
            }
        }
        return ids[0];
    }

    /** Maps a float to an int whose signed order is the float order (-0.0 folded onto 0.0). */
    private static int orderPreservingBits(float value) {
        int bits = Float.floatToRawIntBits(value + 0f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }
}
