package dev.qwen4j.runtime.sampling;

/**
 * Narrows top-p over the full vocabulary to a small candidate set without sorting 151k scores.
 *
 * <p>One pass computes the softmax normalizer and a histogram of probability mass by distance from the top score
 * (buckets a quarter nat wide). The first buckets whose mass reaches {@code topP} contain the nucleus, because the
 * tokens in them form a prefix of the descending order; only those tokens are collected and sorted afterwards.
 */
final class NucleusPrefilter {
    private static final double BUCKETS_PER_NAT = 4.0;
    private static final int BUCKET_COUNT = 80; // 20 nats: beyond that a token weighs < 2e-9 of the top one
    private static final int LAST_BUCKET = BUCKET_COUNT - 1;

    private final double[] bucketWeight = new double[BUCKET_COUNT];
    private double totalWeight;
    private int cutoffBucket;

    /**
     * Fills the histogram of {@code exp(score - maxScore)} over {@code scores[0 .. limit)} and picks the cutoff for
     * {@code topP}; returns the total weight (the softmax normalizer relative to the top score).
     */
    double analyze(float[] scores, int limit, float maxScore, float topP) {
        java.util.Arrays.fill(bucketWeight, 0.0);
        double total = 0.0;
        for (int i = 0; i < limit; i++) {
            double distance = (double) maxScore - scores[i];
            double weight = Math.exp(-distance);
            total += weight;
            bucketWeight[bucketOf(distance)] += weight;
        }
        totalWeight = total;
        double target = topP * total;
        double cumulative = 0.0;
        int bucket = 0;
        for (; bucket < LAST_BUCKET; bucket++) {
            cumulative += bucketWeight[bucket];
            if (cumulative >= target) {
                break;
            }
        }
        cutoffBucket = bucket;
        return total;
    }

    double totalWeight() {
        return totalWeight;
    }

    /** Adds every token in the buckets up to the cutoff chosen by the last {@link #analyze} (finite scores only). */
    void collectCandidates(float[] scores, int limit, float maxScore, Candidates into) {
        int cutoff = cutoffBucket;
        for (int i = 0; i < limit; i++) {
            float score = scores[i];
            if (score > Float.NEGATIVE_INFINITY && bucketOf((double) maxScore - score) <= cutoff) {
                into.add(i);
            }
        }
    }

    // -inf scores give an infinite distance, which lands in the last bucket with weight 0.
    private static int bucketOf(double distance) {
        return (int) Math.min(distance * BUCKETS_PER_NAT, LAST_BUCKET);
    }
}
