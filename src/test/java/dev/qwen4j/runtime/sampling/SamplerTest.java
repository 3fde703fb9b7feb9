package dev.qwen4j.runtime.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamplerTest {
    private static final int QWEN3_VOCAB = 151_936;
    private static final int QWEN3_TOKENS = 151_669;
    private static final SamplingParams SAMPLE = SamplingParams.greedy().withTemperature(1f).withSeed(7);

    // ---------------------------------------------------------------- greedy

    @Test
    void greedyPicksArgmaxAndBreaksTiesTowardsLowestId() {
        Sampler sampler = new Sampler(SamplingParams.greedy(), 6, new int[0]);
        assertThat(sampler.sample(new float[] {0f, 3f, -1f, 3f, 2.9f, 1f})).isEqualTo(1);
        assertThat(sampler.sample(new float[] {-5f, -4f, -3f, -2f, -1f, -1.5f})).isEqualTo(4);
    }

    @Test
    void greedyAppliesRepetitionPenaltyToPromptTokensByDividingPositiveAndMultiplyingNegativeLogits() {
        SamplingParams params = SamplingParams.greedy().withRepetitionPenalty(1.25f);
        // Token 0: 2.0 / 1.25 = 1.6 < 1.9, so token 1 wins.
        assertThat(new Sampler(params, 3, new int[] {0}).sample(new float[] {2f, 1.9f, -1f})).isEqualTo(1);
        // Negative logits get more negative: -1 * 1.25 = -1.25 < -1.2.
        assertThat(new Sampler(params, 3, new int[] {0, 0, 0}).sample(new float[] {-1f, -1.2f, -3f}))
                .isEqualTo(1);
        // Applied once per distinct token, not once per occurrence: 2.0 / 1.25 = 1.6 > 1.5.
        assertThat(new Sampler(params, 3, new int[] {0, 0, 0}).sample(new float[] {2f, 1.5f, 0f})).isEqualTo(0);
    }

    @Test
    void greedyAppliesPresenceAndFrequencyPenaltiesToGeneratedTokensOnly() {
        SamplingParams params = SamplingParams.greedy().withFrequencyPenalty(0.1f).withPresencePenalty(0.05f);
        Sampler sampler = new Sampler(params, 3, new int[] {0, 0, 0, 0});
        assertThat(sampler.sample(new float[] {2f, 1.8f, 0f})).as("prompt tokens are not penalized").isEqualTo(0);
        sampler.accept(0);
        // 2.0 - 0.1 - 0.05 = 1.85 > 1.8
        assertThat(sampler.sample(new float[] {2f, 1.8f, 0f})).isEqualTo(0);
        sampler.accept(0);
        // 2.0 - 0.2 - 0.05 = 1.75 < 1.8
        assertThat(sampler.sample(new float[] {2f, 1.8f, 0f})).isEqualTo(1);
        assertThat(sampler.generatedCount()).isEqualTo(2);
    }

    @Test
    void topKOfOneIsGreedyWhateverTheTemperature() {
        SamplingParams params = SAMPLE.withTemperature(5f).withTopK(1);
        assertThat(params.isGreedy()).isTrue();
        Sampler sampler = new Sampler(params, 4, new int[0]);
        for (int i = 0; i < 100; i++) {
            assertThat(sampler.sample(new float[] {1f, 1.1f, 1.05f, 0.9f})).isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------- distributions vs the reference

    static Stream<Arguments> processorSettings() {
        SamplingParams base = SAMPLE;
        return Stream.of(
                Arguments.of("plain softmax", base),
                Arguments.of("temperature 0.6", base.withTemperature(0.6f)),
                Arguments.of("temperature 1.7", base.withTemperature(1.7f)),
                Arguments.of("top-k 20", base.withTopK(20)),
                Arguments.of("top-k 3", base.withTemperature(0.8f).withTopK(3)),
                Arguments.of("top-k 499 of 500", base.withTopK(499)),
                Arguments.of("top-p 0.9", base.withTopP(0.9f)),
                Arguments.of("top-p 0.3 hot", base.withTemperature(2f).withTopP(0.3f)),
                Arguments.of("top-p 0.999 cold", base.withTemperature(0.3f).withTopP(0.999f)),
                Arguments.of("min-p 0.05", base.withMinP(0.05f)),
                Arguments.of("min-p 0.5 hot", base.withTemperature(1.5f).withMinP(0.5f)),
                Arguments.of("min-p 1", base.withMinP(1f)),
                Arguments.of("top-k + top-p", base.withTemperature(0.6f).withTopK(20).withTopP(0.95f)),
                Arguments.of("top-k + top-p + min-p",
                        base.withTemperature(0.7f).withTopK(40).withTopP(0.8f).withMinP(0.1f)),
                Arguments.of("top-p + min-p", base.withTopP(0.7f).withMinP(0.02f)),
                Arguments.of("penalties + all processors",
                        base.withTemperature(0.9f).withTopK(50).withTopP(0.9f).withMinP(0.01f)
                                .withRepetitionPenalty(1.3f).withPresencePenalty(0.7f)
                                .withFrequencyPenalty(-0.4f)),
                Arguments.of("penalties, no processors",
                        base.withRepetitionPenalty(0.8f).withPresencePenalty(-1.5f).withFrequencyPenalty(2f)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("processorSettings")
    void distributionMatchesReferenceOnRandomLogits(String name, SamplingParams params) {
        Random random = new Random(name.hashCode());
        int vocab = 500;
        for (int trial = 0; trial < 20; trial++) {
            float[] logits = randomLogits(random, vocab + 7, 2f + trial % 4);
            int[] prompt = random.ints(30, 0, vocab).toArray();
            int[] generated = random.ints(25, 0, vocab / 10).toArray(); // repeats, so counts exceed 1
            int maskFrom = trial % 2 == 0 ? vocab : vocab - 37;
            assertMatchesReference(params, logits, vocab, maskFrom, prompt, generated);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("processorSettings")
    void distributionMatchesReferenceWhenLogitsAreTied(String name, SamplingParams params) {
        // Integer-valued logits: many exact ties at the top-k, top-p and min-p boundaries.
        Random random = new Random(~name.hashCode());
        int vocab = 200;
        for (int trial = 0; trial < 20; trial++) {
            float[] logits = new float[vocab];
            for (int i = 0; i < vocab; i++) logits[i] = random.nextInt(8) - 4;
            assertMatchesReference(params, logits, vocab, vocab, new int[] {3, 5, 5}, new int[] {5, 7, 7, 7});
        }
    }

    @Test
    void topPOverTheFullQwen3VocabularyMatchesReference() {
        Random random = new Random(42);
        SamplingParams[] settings = {
            SAMPLE.withTemperature(0.7f).withTopP(0.95f), // peaked: the prefilter keeps a handful
            SAMPLE.withTemperature(3f).withTopP(0.9f), // flat: most of the vocabulary is in the nucleus
            SAMPLE.withTemperature(0.6f).withTopK(20).withTopP(0.95f), // Qwen3's generation_config
            SAMPLE.withMinP(0.001f),
        };
        for (SamplingParams params : settings) {
            float[] logits = randomLogits(random, QWEN3_VOCAB, 4f);
            assertMatchesReference(params, logits, QWEN3_VOCAB, QWEN3_TOKENS, new int[] {1, 2, 3}, new int[] {2});
        }
    }

    @Test
    void disabledProcessorsAreNoOps() {
        Random random = new Random(3);
        float[] logits = randomLogits(random, 300, 3f);
        SamplingParams plain = SAMPLE.withTemperature(0.8f);
        double[] expected = probabilities(plain, logits, 300);
        for (SamplingParams noOp : List.of(plain.withTopP(1f), plain.withTopK(0), plain.withMinP(0f),
                plain.withTopK(300), plain.withTopK(100_000), plain.withRepetitionPenalty(1f))) {
            double[] actual = probabilities(new Sampler(noOp, 300, new int[] {1, 2, 3}), logits);
            assertClose(actual, expected, 1e-6, noOp.toString());
        }
        // And the plain distribution is the softmax of logits / temperature.
        float[] scaled = new float[300];
        for (int i = 0; i < 300; i++) scaled[i] = logits[i] / 0.8f;
        assertClose(expected, ReferenceDistribution.softmax(scaled), 1e-6, "softmax");
    }

    // ---------------------------------------------------------------- drawing

    @Test
    void drawsFollowTheDistributionChiSquare() {
        float[] logits = {2.0f, 1.5f, 1.4f, 0.3f, -0.2f, -1f, 0.9f, -3f};
        SamplingParams params = SAMPLE.withSeed(12345).withTemperature(0.9f).withTopK(6).withTopP(0.97f);
        double[] expected = ReferenceDistribution.of(logits, logits.length, logits.length, params, new int[0],
                new int[0]);
        long supported = Arrays.stream(expected).filter(p -> p > 0).count();
        assertThat(supported).as("the filters must leave a non-trivial support").isBetween(4L, 6L);

        int draws = 200_000;
        long[] observed = new long[logits.length];
        Sampler sampler = new Sampler(params, logits.length, new int[0]);
        float[] scratch = new float[logits.length];
        for (int i = 0; i < draws; i++) {
            System.arraycopy(logits, 0, scratch, 0, logits.length);
            observed[sampler.sample(scratch)]++;
        }
        double chiSquare = 0;
        for (int t = 0; t < logits.length; t++) {
            if (expected[t] == 0) {
                assertThat(observed[t]).as("token %d was filtered out", t).isZero();
            } else {
                double e = expected[t] * draws;
                chiSquare += (observed[t] - e) * (observed[t] - e) / e;
            }
        }
        assertThat(chiSquare).isLessThan(chiSquareCritical001((int) supported - 1));
    }

    @Test
    void fullVocabularyDrawsFollowTheDistributionChiSquare() {
        // No filter: weights are written over the logits and walked in id order.
        float[] logits = {0.1f, 1.0f, -0.5f, 0.7f, 0.0f};
        SamplingParams params = SAMPLE.withSeed(99).withTemperature(1.3f);
        double[] expected = ReferenceDistribution.of(logits, 5, 5, params, new int[0], new int[0]);
        int draws = 100_000;
        long[] observed = new long[5];
        Sampler sampler = new Sampler(params, 5, new int[0]);
        for (int i = 0; i < draws; i++) observed[sampler.sample(logits.clone())]++;
        double chiSquare = 0;
        for (int t = 0; t < 5; t++) {
            double e = expected[t] * draws;
            chiSquare += (observed[t] - e) * (observed[t] - e) / e;
        }
        assertThat(chiSquare).isLessThan(chiSquareCritical001(4));
    }

    @Test
    void sameSeedGivesTheSameSequenceAndAnotherSeedDoesNot() {
        SamplingParams params = SAMPLE.withTemperature(1.2f).withTopK(50).withTopP(0.95f)
                .withRepetitionPenalty(1.1f).withFrequencyPenalty(0.2f);
        int[] first = generate(params.withSeed(2024), 64);
        assertThat(generate(params.withSeed(2024), 64)).containsExactly(first);
        assertThat(generate(params.withSeed(2025), 64)).isNotEqualTo(first);
        assertThat(Arrays.stream(first).distinct().count()).as("the sequence is actually random").isGreaterThan(10);
    }

    @Test
    void maskedAndPaddingIdsAreNeverSampled() {
        float[] logits = {0f, 0.5f, 0.2f, 0.1f, 9f, 9f, 9f, 50f}; // 5, 6 masked; 7 beyond vocab
        Sampler sampler = new Sampler(SAMPLE.withTemperature(2f), 7, new int[0]);
        sampler.setMaskFrom(5);
        int[] seen = new int[8];
        for (int i = 0; i < 2000; i++) seen[sampler.sample(logits.clone())]++;
        assertThat(seen[5] + seen[6] + seen[7]).isZero();
        assertThat(seen[4]).isGreaterThan(1500);

        Sampler greedy = new Sampler(SamplingParams.greedy(), 7, new int[0]);
        greedy.setMaskFrom(5);
        assertThat(greedy.sample(logits.clone())).isEqualTo(4);

        double[] probabilities = new double[7];
        sampler.probabilities(logits.clone(), probabilities);
        assertThat(probabilities[5]).isZero();
        assertThat(probabilities[6]).isZero();
    }

    @Test
    void negativeInfinityLogitsAreNeverSampled() {
        float inf = Float.NEGATIVE_INFINITY;
        for (SamplingParams params : List.of(SAMPLE, SAMPLE.withTopK(3), SAMPLE.withTopP(0.99f),
                SAMPLE.withMinP(1e-6f))) {
            Sampler sampler = new Sampler(params, 5, new int[0]);
            for (int i = 0; i < 500; i++) {
                assertThat(sampler.sample(new float[] {inf, 1f, inf, 1f, inf})).isIn(1, 3);
            }
        }
    }

    @Test
    void endOfSequenceHonoursIgnoreEos() {
        SamplingParams params = SamplingParams.greedy().withEosTokenIds(Set.of(151645, 151643));
        Sampler sampler = new Sampler(params, QWEN3_VOCAB, new int[0]);
        assertThat(sampler.isEndOfSequence(151645)).isTrue();
        assertThat(sampler.isEndOfSequence(151644)).isFalse();
        assertThat(new Sampler(params.withIgnoreEos(true), QWEN3_VOCAB, new int[0]).isEndOfSequence(151645))
                .isFalse();
    }

    // ---------------------------------------------------------------- errors

    @Test
    void rejectsBadInputWithClearMessages() {
        Sampler sampler = new Sampler(SAMPLE, 4, new int[0]);
        assertThatThrownBy(() -> sampler.sample(new float[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 3");
        assertThatThrownBy(() -> sampler.sample(new float[] {0f, Float.NaN, 1f, 2f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 1 is NaN");
        assertThatThrownBy(() -> sampler.sample(new float[] {0f, 1f, Float.POSITIVE_INFINITY, 2f}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("+Infinity");
        float inf = Float.NEGATIVE_INFINITY;
        assertThatThrownBy(() -> sampler.sample(new float[] {inf, inf, inf, inf}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("-Infinity");
        assertThatThrownBy(() -> sampler.accept(4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("generated token 4");
        assertThatThrownBy(() -> sampler.setMaskFrom(5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("firstInvalidId");
        assertThatThrownBy(() -> new Sampler(SAMPLE, 4, new int[] {1, -2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt token -2");
        assertThatThrownBy(() -> new Sampler(SAMPLE, 0, new int[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabSize");
    }

    // ---------------------------------------------------------------- hot path

    @Test
    void steadyStateSamplingDoesNotAllocate() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Random random = new Random(5);
        float[] logits = randomLogits(random, QWEN3_VOCAB, 4f);
        float[] scratch = new float[QWEN3_VOCAB];
        for (SamplingParams params : List.of(
                SAMPLE.withTemperature(0.6f).withTopK(20).withTopP(0.95f).withRepetitionPenalty(1.1f)
                        .withPresencePenalty(0.5f),
                SAMPLE.withTemperature(0.7f).withTopP(0.8f),
                SAMPLE.withMinP(0.05f),
                SAMPLE,
                SamplingParams.greedy().withRepetitionPenalty(1.2f))) {
            Sampler sampler = new Sampler(params, QWEN3_VOCAB, random.ints(500, 0, QWEN3_TOKENS).toArray());
            sampler.setMaskFrom(QWEN3_TOKENS);
            for (int i = 0; i < 300; i++) {
                System.arraycopy(logits, 0, scratch, 0, QWEN3_VOCAB);
                sampler.accept(sampler.sample(scratch));
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100; i++) {
                System.arraycopy(logits, 0, scratch, 0, QWEN3_VOCAB);
                sampler.sample(scratch);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(allocated).as("bytes allocated by 100 samples with %s", params).isLessThan(4096);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void assertMatchesReference(SamplingParams params, float[] logits, int vocab, int maskFrom,
            int[] prompt, int[] generated) {
        double[] expected = ReferenceDistribution.of(logits, vocab, maskFrom, params, prompt, generated);
        Sampler sampler = new Sampler(params, vocab, prompt);
        for (int token : generated) sampler.accept(token);
        sampler.setMaskFrom(maskFrom);
        double[] actual = probabilities(sampler, logits);
        for (int t = 0; t < vocab; t++) {
            assertThat(actual[t] > 0).as("token %d kept (%s)", t, params).isEqualTo(expected[t] > 0);
        }
        assertClose(actual, expected, 1e-6, params.toString());
    }

    private static double[] probabilities(SamplingParams params, float[] logits, int vocab) {
        return probabilities(new Sampler(params, vocab, new int[0]), logits);
    }

    private static double[] probabilities(Sampler sampler, float[] logits) {
        double[] out = new double[logits.length];
        sampler.probabilities(logits.clone(), out);
        assertThat(Arrays.stream(out).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        return out;
    }

    /**
     * Relative comparison: without filters the weights live in the float logits array (float32 like HF), so
     * probabilities carry ~1e-7 relative rounding; a wrong processor is off by far more.
     */
    private static void assertClose(double[] actual, double[] expected, double relativeTolerance, String what) {
        for (int t = 0; t < expected.length; t++) {
            assertThat(Math.abs(actual[t] - expected[t])).as("token %d: %s vs %s, %s", t, actual[t], expected[t], what)
                    .isLessThanOrEqualTo(relativeTolerance * expected[t] + 1e-15);
        }
    }

    private static int[] generate(SamplingParams params, int steps) {
        Random random = new Random(1);
        float[][] stepLogits = new float[steps][];
        for (int i = 0; i < steps; i++) stepLogits[i] = randomLogits(random, 1000, 2f);
        Sampler sampler = new Sampler(params, 1000, new int[] {1, 2, 3});
        int[] tokens = new int[steps];
        for (int i = 0; i < steps; i++) {
            tokens[i] = sampler.sample(stepLogits[i]);
            sampler.accept(tokens[i]);
        }
        return tokens;
    }

    private static float[] randomLogits(Random random, int length, float scale) {
        float[] logits = new float[length];
        for (int i = 0; i < length; i++) logits[i] = (float) (random.nextGaussian() * scale);
        return logits;
    }

    /** Upper 0.1% point of chi-square (Wilson-Hilferty): a fair sampler fails this once in a thousand seeds. */
    private static double chiSquareCritical001(int degreesOfFreedom) {
        double k = degreesOfFreedom;
        double z = 3.0902;
        double term = 1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k));
        return k * term * term * term;
    }

    @org.junit.jupiter.api.Test
    void logitBiasIsAddedToTheRawLogitsBeforeThePenalties() {
        float[] logits = {1f, 5f, 2f, 0.5f};
        SamplingParams greedy = SamplingParams.greedy();
        org.assertj.core.api.Assertions.assertThat(new Sampler(greedy, 4, new int[0]).sample(logits.clone())).isEqualTo(1);
        // −100 bans the argmax, +100 forces a token, ids at or above the mask are ignored
        org.assertj.core.api.Assertions.assertThat(new Sampler(greedy.withLogitBias(LogitBias.of(java.util.Map.of(1, -100f))), 4, new int[0])
                .sample(logits.clone())).isEqualTo(2);
        org.assertj.core.api.Assertions.assertThat(new Sampler(greedy.withLogitBias(LogitBias.of(java.util.Map.of(3, 100f))), 4, new int[0])
                .sample(logits.clone())).isEqualTo(3);
        Sampler masked = new Sampler(greedy.withLogitBias(LogitBias.of(java.util.Map.of(3, 100f))), 4, new int[0]);
        masked.setMaskFrom(3);
        org.assertj.core.api.Assertions.assertThat(masked.sample(logits.clone())).isEqualTo(1);
        // before the repetition penalty: a biased logit of 6 (1 + 5) in the prompt is divided by the penalty 2 → 3 < 5
        Sampler penalised = new Sampler(greedy.withRepetitionPenalty(2f).withLogitBias(LogitBias.of(java.util.Map.of(0, 5f))), 4, new int[] {0});
        org.assertj.core.api.Assertions.assertThat(penalised.sample(logits.clone())).isEqualTo(1);
        // the distribution a sampling step draws from includes the bias
        double[] p = new double[4];
        new Sampler(SamplingParams.greedy().withTemperature(1f).withTopK(0).withTopP(1f)
                .withLogitBias(LogitBias.of(java.util.Map.of(0, 4f))), 4, new int[0]).probabilities(logits.clone(), p);
        double z = Math.exp(5) + Math.exp(5) + Math.exp(2) + Math.exp(0.5);
        org.assertj.core.api.Assertions.assertThat(p[0]).isCloseTo(Math.exp(5) / z, org.assertj.core.api.Assertions.within(1e-6));
    }

    @org.junit.jupiter.api.Test
    void logitBiasRejectsOutOfRangeValues() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogitBias.of(java.util.Map.of(2, 100.5f)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 2");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogitBias.of(java.util.Map.of(-1, 1f)))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogitBias.of(java.util.Map.of(1, Float.NaN)))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThat(LogitBias.of(java.util.Map.of())).isSameAs(LogitBias.NONE);
    }
}
