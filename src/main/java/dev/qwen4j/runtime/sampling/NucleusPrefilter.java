package dev.qwen4j.runtime.sampling;

import java.util.Arrays;

/**
 * Computes top-p over the full vocabulary while sorting only a small slice of it, not all 151k scores.
 *
 * <p>One pass computes the softmax normalizer and a histogram of probability mass by distance from the top score
 * (buckets 1/16 nat wide). Buckets are prefixes of the descending order, so if the mass of buckets before the
 * <em>boundary bucket</em> stays below {@code topP} and adding the boundary bucket reaches it, every token before
 * the boundary bucket is in the nucleus, every token after it is not, and only the boundary bucket's tokens need
 * sorting to find where the nucleus ends.
 */
final class NucleusPrefilter {
    private static final double BUCKETS_PER_NAT = 16.0;
    private static final int BUCKET_COUNT = 384; // 24 nats: beyond that a token weighs < 4e-11 of the top one
    private static final int LAST_BUCKET = BUCKET_COUNT - 1;

    private final double[] bucketWeight = new double[BUCKET_COUNT];
    private final IntList boundaryTokens = new IntList(1024);
    private int boundaryBucket;

    /**
     * Fills the histogram of {@code exp(score - maxScore)} over {@code scores[0 .. limit)} and finds the boundary
     * bucket for {@code topP}; returns the total weight (the softmax normalizer relative to the top score).
     */
    double analyze(float[] scores, int limit, float maxScore, float topP) {
        Arrays.fill(bucketWeight, 0.0);
        double total = 0.0;
        for (int i = 0; i < limit; i++) {
            double distance = (double) maxScore - scores[i];
            double weight = Math.exp(-distance);
            total += weight;
            bucketWeight[bucketOf(distance)] += weight;
        }
        double target = topP * total;
        double cumulative = 0.0;
        int bucket = 0;
        for (; bucket < LAST_BUCKET; bucket++) {
            cumulative += bucketWeight[bucket];
            if (cumulative >= target) {
                break;
            }
        }
        boundaryBucket = bucket;
        return total;
    }

    /**
     * Adds to {@code into} the tokens of the buckets before the boundary bucket (certainly in the nucleus), then
     * those of the boundary bucket; returns the index in {@code into} where the boundary tokens start. Only finite
     * scores are added.
     */
    int collectCandidates(float[] scores, int limit, float maxScore, Candidates into) {
        int boundary = boundaryBucket;
        boundaryTokens.clear();
        for (int i = 0; i < limit; i++) {
            float score = scores[i];
            if (score > Float.NEGATIVE_INFINITY) {
                int bucket = bucketOf((double) maxScore - score);
                if (bucket < boundary) {
                    into.add(i);
                } else if (bucket == boundary) {
                    boundaryTokens.add(i);
                }
            }
        }
        int boundaryStart = into.size();
        for (int i = 0, n = boundaryTokens.size(); i < n; i++) {
            into.add(boundaryTokens.get(i));
        }
        return boundaryStart;
    }

    // -inf scores give an infinite distance, which lands in the last bucket with weight 0.
    private static int bucketOf(double distance) {
        return (int) Math.min(distance * BUCKETS_PER_NAT, LAST_BUCKET);
    }
}
