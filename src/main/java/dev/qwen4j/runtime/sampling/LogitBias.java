package dev.qwen4j.runtime.sampling;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-token additions to the raw logits before any other processing (OpenAI's {@code logit_bias}): −100 all
 * but bans a token and +100 all but forces it. Immutable; ids are sorted and distinct.
 */
public final class LogitBias {
    /** OpenAI's documented range for a bias value. */
    public static final float MAX_ABS_BIAS = 100f;
    public static final LogitBias NONE = new LogitBias(new int[0], new float[0]);

    private final int[] ids;
    private final float[] biases;

    private LogitBias(int[] ids, float[] biases) {
        this.ids = ids;
        this.biases = biases;
    }

    /**
     * @throws IllegalArgumentException for a negative id or a bias that is not finite or outside ±{@link #MAX_ABS_BIAS}
     */
    public static LogitBias of(Map<Integer, Float> biasById) {
        if (biasById.isEmpty()) return NONE;
        TreeMap<Integer, Float> sorted = new TreeMap<>(biasById);
        int[] ids = new int[sorted.size()];
        float[] biases = new float[sorted.size()];
        int i = 0;
        for (Map.Entry<Integer, Float> e : sorted.entrySet()) {
            int id = e.getKey();
            float b = e.getValue();
            if (id < 0) throw new IllegalArgumentException("logit bias token id must be >= 0 but was " + id);
            if (!(Math.abs(b) <= MAX_ABS_BIAS)) {
                throw new IllegalArgumentException("logit bias for token " + id + " must be in [-100, 100] but was " + b);
            }
            ids[i] = id;
            biases[i++] = b;
        }
        return new LogitBias(ids, biases);
    }

    public boolean isEmpty() {
        return ids.length == 0;
    }

    /** The largest biased id, or -1 when empty. */
    public int maxId() {
        return ids.length == 0 ? -1 : ids[ids.length - 1];
    }

    /** logits[id] += bias for every biased id below limit. */
    void apply(float[] logits, int limit) {
        for (int i = 0; i < ids.length && ids[i] < limit; i++) logits[ids[i]] += biases[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogitBias b && Arrays.equals(ids, b.ids) && Arrays.equals(biases, b.biases);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(biases);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{");
        for (int i = 0; i < ids.length; i++) s.append(i == 0 ? "" : ", ").append(ids[i]).append(": ").append(biases[i]);
        return s.append('}').toString();
    }
}
