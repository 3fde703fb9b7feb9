package dev.qwen4j.runtime.sampling;

/**
 * Finds the k-th largest finite score with a bounded min-heap: one pass, O(n log k) worst case and close to O(n)
 * for the small k used in practice, instead of sorting the whole vocabulary.
 *
 * <p>Hugging Face keeps every token whose score is {@code >=} this value, so ties at the k-th place all survive.
 */
final class TopKThreshold {
    private float[] heap = new float[64];

    /**
     * The k-th largest score among the finite ones in {@code scores[0 .. limit)}, or the smallest finite score if
     * there are fewer than k of them.
     *
     * @throws IllegalStateException if no score is finite
     */
    float kthLargest(float[] scores, int limit, int k) {
        if (heap.length < k) {
            heap = new float[k];
        }
        float[] h = heap;
        int size = 0;
        for (int i = 0; i < limit; i++) {
            float score = scores[i];
            if (size == k) {
                if (score > h[0]) {
                    replaceMinimum(h, size, score);
                }
            } else if (score > Float.NEGATIVE_INFINITY) {
                insert(h, size++, score);
            }
        }
        if (size == 0) {
            throw new IllegalStateException("no token can be sampled: every logit is -Infinity");
        }
        return h[0];
    }

    private static void insert(float[] h, int size, float value) {
        int child = size;
        while (child > 0) {
            int parent = (child - 1) >>> 1;
            if (h[parent] <= value) {
                break;
            }
            h[child] = h[parent];
            child = parent;
        }
        h[child] = value;
    }

    private static void replaceMinimum(float[] h, int size, float value) {
        int parent = 0;
        while (true) {
            int child = 2 * parent + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && h[child + 1] < h[child]) {
                child++;
            }
            if (value <= h[child]) {
                break;
            }
            h[parent] = h[child];
            parent = child;
        }
        h[parent] = value;
    }
}
