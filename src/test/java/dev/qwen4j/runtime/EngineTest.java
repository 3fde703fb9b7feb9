package dev.qwen4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qwen4j.api.GenerationListener;
import dev.qwen4j.api.GenerationResult;
import dev.qwen4j.model.MultimodalPrompt;
import dev.qwen4j.runtime.grammar.Grammar;
import dev.qwen4j.runtime.grammar.GrammarState;
import dev.qwen4j.runtime.grammar.JsonSchemaGrammar;
import dev.qwen4j.api.Generator;
import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.testing.Golden;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The continuous-batching engine on the bundled tiny model, checked against the single-sequence Generator. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineTest {
    private Qwen3Runtime rt;
    private CountingModel counting;

    @BeforeAll
    void open() {
        rt = Qwen3Runtime.open(Golden.model("tiny-qwen3"));
        counting = new CountingModel(rt.model());
    }

    @AfterAll
    void close() {
        rt.close();
    }

    private Engine engine(EngineConfig c) {
        return new Engine(counting, rt.tokenizer(), rt.eosTokenIds(), c);
    }

    private static EngineConfig small() {
        return EngineConfig.defaults().withKvBudgetBytes(64L << 20);
    }

    private static int[] randomPrompt(SplittableRandom r, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(151643);
        return ids;
    }

    private GenerationResult solo(int[] prompt, SamplingParams p) {
        try (Generator g = rt.newGenerator()) {
            return g.generate(prompt, p, GenerationListener.NONE);
        }
    }

    private static SamplingParams greedy(int maxTokens) {
        return SamplingParams.greedy().withMaxTokens(maxTokens);
    }

    @Test
    void parallelGreedyRequestsEachGetTheirSoloTokensInFewerSteps() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 6; i++) prompts.add(randomPrompt(r, 5 + r.nextInt(40)));
        List<GenerationResult> expected = new ArrayList<>();
        for (int[] p : prompts) expected.add(solo(p, greedy(12)));

        try (Engine e = engine(small())) {
            counting.reset();
            for (int[] p : prompts) {
                Collector c = new Collector();
                e.submit(new GenerationRequest("seq", p, greedy(12)), c);
                c.await();
            }
            int sequentialSteps = counting.forwards.get();

            counting.reset();
            List<Collector> collectors = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                Collector c = new Collector();
                e.submit(new GenerationRequest("par" + i, prompts.get(i), greedy(12)), c);
                collectors.add(c);
            }
            for (int i = 0; i < prompts.size(); i++) {
                SequenceResult res = collectors.get(i).await();
                assertThat(res.tokenIds()).as("request %d", i).containsExactly(expected.get(i).tokenIds());
                assertThat(res.text()).isEqualTo(expected.get(i).text());
                assertThat(collectors.get(i).text()).isEqualTo(expected.get(i).text());
                assertThat(res.reason().openAiName()).isEqualTo(expected.get(i).finishReason().openAiName());
            }
            int batchedSteps = counting.forwards.get();
            assertThat(counting.widestBatch.get()).isGreaterThan(1);
            assertThat(batchedSteps).isLessThan(sequentialSteps);
            assertThat(e.metrics().steps()).isGreaterThanOrEqualTo(batchedSteps);
        }
    }

    @Test
    void longPromptsArePrefilledInChunksBetweenDecodeSteps() throws Exception {
        SplittableRandom r = new SplittableRandom(5);
        int[] shortPrompt = randomPrompt(r, 4), longPrompt = randomPrompt(r, 50);
        GenerationResult shortSolo = solo(shortPrompt, greedy(20)), longSolo = solo(longPrompt, greedy(6));
        try (Engine e = engine(small().withMaxBatchTokens(8))) {
            counting.reset();
            Collector a = new Collector(), b = new Collector();
            e.submit(new GenerationRequest("short", shortPrompt, greedy(20)), a);
            assertThat(a.firstToken.await(60, TimeUnit.SECONDS)).isTrue();
            e.submit(new GenerationRequest("long", longPrompt, greedy(6)), b);
            assertThat(a.await().tokenIds()).containsExactly(shortSolo.tokenIds());
            assertThat(b.await().tokenIds()).containsExactly(longSolo.tokenIds());
            assertThat(counting.widestBatch.get()).isLessThanOrEqualTo(8);
            // 50 prompt tokens at most 8 per step (7 while the short one decodes): at least 7 steps of prefill.
            assertThat(counting.forwards.get()).isGreaterThanOrEqualTo(7 + 5);
        }
    }

    @Test
    void cancellingFreesTheRequestsBlocks() throws Exception {
        try (Engine e = engine(small())) {
            Collector c = new Collector();
            RequestHandle h = e.submit(new GenerationRequest("long", randomPrompt(new SplittableRandom(1), 40),
                    greedy(100_000).withIgnoreEos(true)), c);
            assertThat(c.firstToken.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(e.snapshot().kvBlocksInUse()).isGreaterThan(0);
            h.cancel();
            SequenceResult res = c.await();
            assertThat(res.reason()).isEqualTo(StopReason.CANCELLED);
            assertThat(e.snapshot().kvBlocksInUse()).isZero();
            assertThat(e.snapshot().running()).isZero();
        }
    }

    @Test
    void aFullQueueRefusesWithRetryAfter() throws Exception {
        try (Engine e = engine(small().withMaxRunning(1).withMaxWaiting(1))) {
            Collector running = new Collector(), waiting = new Collector();
            RequestHandle a = e.submit(new GenerationRequest("a", new int[] {1, 2, 3}, greedy(100_000).withIgnoreEos(true)), running);
            assertThat(running.firstToken.await(60, TimeUnit.SECONDS)).isTrue();
            RequestHandle b = e.submit(new GenerationRequest("b", new int[] {4, 5, 6}, greedy(4)), waiting);
            assertThatThrownBy(() -> e.submit(new GenerationRequest("c", new int[] {7}, greedy(4)), new Collector()))
                    .isInstanceOf(EngineOverloadedException.class)
                    .satisfies(x -> assertThat(((EngineOverloadedException) x).retryAfterSeconds()).isPositive());
            assertThat(e.metrics().rejectedRequests()).isEqualTo(1);
            a.cancel();
            assertThat(waiting.await().reason()).isIn(StopReason.MAX_TOKENS, StopReason.EOS);
            b.cancel(); // already finished: no-op
        }
    }

    @Test
    void promptsThatCanNeverFitAreRefusedAtOnce() {
        try (Engine e = engine(small().withMaxModelLen(32))) {
            assertThatThrownBy(() -> e.submit(new GenerationRequest("x", new int[40], greedy(4)), new Collector()))
                    .isInstanceOf(PromptTooLongException.class).hasMessageContaining("maximum context length is 32");
            assertThatThrownBy(() -> e.submit(new GenerationRequest("x", new int[] {-1}, greedy(4)), new Collector()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
        }
        long block = rt.model().newKvPool(16, 0).bytesPerBlock();
        try (Engine e = engine(small().withKvBudgetBytes(2 * block))) {
            assertThatThrownBy(() -> e.submit(new GenerationRequest("x", new int[40], greedy(4)), new Collector()))
                    .isInstanceOf(PromptTooLongException.class).hasMessageContaining("KV cache holds (31 tokens)");
        }
    }

    @Test
    void requestsQueueForKvMemoryAndStillGetTheirSoloTokens() throws Exception {
        SplittableRandom r = new SplittableRandom(11);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 3; i++) prompts.add(randomPrompt(r, 30));
        SamplingParams p = greedy(30).withIgnoreEos(true);
        List<GenerationResult> expected = new ArrayList<>();
        for (int[] pr : prompts) expected.add(solo(pr, p));
        long block = rt.model().newKvPool(16, 0).bytesPerBlock();
        // 6 blocks = 96 slots: one 60-token sequence (4 blocks) at a time, never two.
        try (Engine e = engine(small().withKvBudgetBytes(6 * block).withPrefixCaching(false))) {
            List<Collector> cs = new ArrayList<>();
            for (int[] pr : prompts) {
                Collector c = new Collector();
                e.submit(new GenerationRequest("kv", pr, p), c);
                cs.add(c);
            }
            for (int i = 0; i < cs.size(); i++) assertThat(cs.get(i).await().tokenIds()).containsExactly(expected.get(i).tokenIds());
            assertThat(e.snapshot().kvBlocksInUse()).isZero();
            assertThat(e.snapshot().kvBlocksTotal()).isEqualTo(6);
        }
    }

    @Test
    void aSharedSystemPromptIsComputedOnce() throws Exception {
        SplittableRandom r = new SplittableRandom(17);
        int[] system = randomPrompt(r, 40);
        int[] a = concat(system, randomPrompt(r, 5)), b = concat(system, randomPrompt(r, 7));
        GenerationResult soloB = solo(b, greedy(8));
        try (Engine e = engine(small())) {
            Collector ca = new Collector();
            e.submit(new GenerationRequest("a", a, greedy(8)), ca);
            assertThat(ca.await().cachedPromptTokens()).isZero();
            counting.reset();
            Collector cb = new Collector();
            e.submit(new GenerationRequest("b", b, greedy(8)), cb);
            SequenceResult rb = cb.await();
            assertThat(rb.cachedPromptTokens()).isEqualTo(32); // two full 16-token blocks of the 40 shared
            assertThat(rb.tokenIds()).containsExactly(soloB.tokenIds());
            assertThat(counting.tokens.get()).isEqualTo(b.length - 32 + 7); // the rest of the prompt, then 7 decode steps
            assertThat(e.snapshot().prefixHitBlocks()).isEqualTo(2);
            assertThat(e.metrics().cachedPromptTokens()).isEqualTo(32);
        }
    }

    @Test
    void stopStringsCutTheOutputAndSeedsReproduceSampling() throws Exception {
        int[] prompt = randomPrompt(new SplittableRandom(23), 12);
        GenerationResult free = solo(prompt, greedy(24).withIgnoreEos(true));
        String text = free.text();
        String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
        String before = text.substring(0, text.indexOf(stop));
        SamplingParams sampled = SamplingParams.greedy().withTemperature(1f).withSeed(1234).withMaxTokens(16).withIgnoreEos(true);
        GenerationResult soloSampled = solo(prompt, sampled);
        try (Engine e = engine(small())) {
            Collector c = new Collector();
            e.submit(new GenerationRequest("stop", prompt, greedy(24).withIgnoreEos(true).withStop(List.of(stop))), c);
            SequenceResult res = c.await();
            assertThat(res.reason()).isEqualTo(StopReason.STOP_STRING);
            assertThat(res.text()).isEqualTo(before);
            assertThat(c.text()).isEqualTo(before);

            Collector s1 = new Collector(), s2 = new Collector();
            e.submit(new GenerationRequest("s1", prompt, sampled), s1);
            e.submit(new GenerationRequest("s2", prompt, sampled), s2);
            assertThat(s1.await().tokenIds()).containsExactly(soloSampled.tokenIds());
            assertThat(s2.await().tokenIds()).containsExactly(soloSampled.tokenIds());
        }
    }

    @Test
    void maxTokensAndContextLengthEndSequences() throws Exception {
        try (Engine e = engine(small().withMaxModelLen(20))) {
            Collector c = new Collector();
            e.submit(new GenerationRequest("ctx", randomPrompt(new SplittableRandom(2), 15), greedy(100).withIgnoreEos(true)), c);
            SequenceResult res = c.await();
            assertThat(res.reason()).isEqualTo(StopReason.CONTEXT_LENGTH);
            assertThat(res.completionTokens()).isEqualTo(5); // 15 + 5 = 20 tokens
            Collector m = new Collector();
            e.submit(new GenerationRequest("max", new int[] {5, 6}, greedy(3).withIgnoreEos(true)), m);
            assertThat(m.await().reason()).isEqualTo(StopReason.MAX_TOKENS);
            assertThat(m.await().completionTokens()).isEqualTo(3);
            assertThat(e.metrics().finishedRequests(StopReason.MAX_TOKENS)).isEqualTo(1);
        }
    }

    @Test
    void shutdownLetsRunningRequestsFinishAndRefusesNewOnes() throws Exception {
        Engine e = engine(small());
        Collector c = new Collector();
        e.submit(new GenerationRequest("inflight", new int[] {1, 2, 3}, greedy(20).withIgnoreEos(true)), c);
        assertThat(c.firstToken.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(e.shutdown(java.time.Duration.ofSeconds(60))).isTrue();
        assertThat(c.await().reason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(c.await().completionTokens()).isEqualTo(20);
        assertThatThrownBy(() -> e.submit(new GenerationRequest("late", new int[] {1}, greedy(2)), new Collector()))
                .isInstanceOf(EngineClosedException.class);
    }

    @Test
    void shutdownWithoutGraceCancelsWhatIsLeft() throws Exception {
        Engine e = engine(small());
        Collector c = new Collector();
        e.submit(new GenerationRequest("endless", new int[] {1, 2, 3}, greedy(1_000_000).withIgnoreEos(true)), c);
        assertThat(c.firstToken.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(e.shutdown(java.time.Duration.ZERO)).isFalse();
        assertThat(c.await().reason()).isEqualTo(StopReason.CANCELLED);
        assertThat(e.snapshot().kvBlocksInUse()).isZero();
    }

    @Test
    void givenEmbeddingsReplaceTokenRowsAndAreNeverSharedByPrefix() throws Exception {
        int hidden = rt.model().hiddenSize();
        int[] prompt = randomPrompt(new SplittableRandom(29), 40);
        for (int i = 5; i < 35; i++) prompt[i] = 151655; // image placeholders: equal ids, different images
        int[] rows = java.util.stream.IntStream.range(5, 35).toArray();
        SplittableRandom r = new SplittableRandom(31);
        float[] image1 = new float[rows.length * hidden], image2 = new float[rows.length * hidden];
        for (int i = 0; i < image1.length; i++) {
            image1[i] = (float) r.nextGaussian();
            image2[i] = (float) r.nextGaussian();
        }
        SamplingParams p = greedy(12).withIgnoreEos(true);
        try (Engine e = engine(small())) {
            SequenceResult plain = run(e, new GenerationRequest("plain", prompt, p));
            SequenceResult first = run(e, new GenerationRequest("img1", prompt, p, ReasoningMode.NONE, Long.MAX_VALUE,
                    imageRows(prompt, rows, image1, hidden)));
            SequenceResult again = run(e, new GenerationRequest("img1again", prompt, p, ReasoningMode.NONE, Long.MAX_VALUE,
                    imageRows(prompt, rows, image1, hidden)));
            SequenceResult other = run(e, new GenerationRequest("img2", prompt, p, ReasoningMode.NONE, Long.MAX_VALUE,
                    imageRows(prompt, rows, image2, hidden)));
            assertThat(first.tokenIds()).isNotEqualTo(plain.tokenIds());
            assertThat(again.tokenIds()).containsExactly(first.tokenIds());
            assertThat(other.tokenIds()).isNotEqualTo(first.tokenIds());
            // The first embedded row is 5: no full 16-token block lies before it, so nothing is reused.
            assertThat(again.cachedPromptTokens()).isZero();
            assertThat(other.cachedPromptTokens()).isZero();
            assertThatThrownBy(() -> imageRows(prompt, rows, new float[3], hidden))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedding rows");
            int[] otherIds = prompt.clone();
            otherIds[0]++;
            assertThatThrownBy(() -> new GenerationRequest("bad", otherIds, p, ReasoningMode.NONE, Long.MAX_VALUE, imageRows(prompt, rows, image1, hidden)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ids differ");
        }
    }

    @Test
    void ropePositionsEqualToTextPositionsChangeNothing() throws Exception {
        int[] prompt = randomPrompt(new SplittableRandom(37), 20);
        int[][] positions = new int[3][prompt.length];
        for (int[] axis : positions) for (int i = 0; i < axis.length; i++) axis[i] = i;
        SamplingParams p = greedy(8).withIgnoreEos(true);
        GenerationResult solo = solo(prompt, p);
        try (Engine e = engine(small())) {
            SequenceResult withPositions = run(e, new GenerationRequest("pos", prompt, p, ReasoningMode.NONE, Long.MAX_VALUE,
                    new MultimodalPrompt(prompt, positions, 0, new boolean[prompt.length], rt.model().hiddenSize(), new float[0], new float[0][])));
            assertThat(withPositions.tokenIds()).containsExactly(solo.tokenIds());
        }
    }

    @Test
    void logprobsAreTheModelsLogSoftmaxWithTheTopAlternatives() throws Exception {
        int[] prompt = randomPrompt(new SplittableRandom(41), 10);
        float[] logits;
        try (dev.qwen4j.model.KvCache cache = new dev.qwen4j.model.KvCache(rt.model().newKvPool(16, 0), rt.model().contextLength())) {
            dev.qwen4j.model.ForwardBatch b = new dev.qwen4j.model.ForwardBatch();
            b.addSequence(cache, prompt, 0, prompt.length, true);
            logits = rt.model().forward(b);
        }
        int limit = Math.min(rt.model().vocabSize(), rt.tokenizer().vocabSize());
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < limit; i++) max = Math.max(max, logits[i]);
        for (int i = 0; i < limit; i++) sum += Math.exp(logits[i] - max);
        double logZ = max + Math.log(sum);
        try (Engine e = engine(small())) {
            Collector c = new Collector();
            e.submit(new GenerationRequest("lp", prompt, greedy(4).withIgnoreEos(true)).withLogprobs(3), c);
            c.await();
            List<TokenEvent> tokens = c.events.stream().filter(t -> t.tokenId() >= 0).toList();
            assertThat(tokens).hasSize(4).allSatisfy(t -> assertThat(t.logprobs()).isNotNull());
            TokenLogprobs first = tokens.getFirst().logprobs();
            assertThat(first.token()).isEqualTo(tokens.getFirst().tokenId());
            assertThat((double) first.logprob()).isCloseTo(logits[first.token()] - logZ, org.assertj.core.api.Assertions.within(1e-4));
            assertThat(first.topTokens()).hasSize(3);
            assertThat(first.topTokens()[0]).isEqualTo(first.token()); // greedy picks the most likely token
            assertThat(first.topLogprobs()[0]).isEqualTo(first.logprob());
            assertThat(first.topLogprobs()[0]).isGreaterThanOrEqualTo(first.topLogprobs()[1]);
            assertThat(first.topLogprobs()[1]).isGreaterThanOrEqualTo(first.topLogprobs()[2]);
            assertThat(first.topLogprobs()[2]).isLessThanOrEqualTo(0f);
            for (int rank = 0; rank < 3; rank++) {
                int id = first.topTokens()[rank];
                long higher = java.util.stream.IntStream.range(0, limit).filter(i -> logits[i] > logits[id]).count();
                assertThat(higher).as("tokens above rank %d", rank).isEqualTo(rank);
            }

            Collector plain = new Collector();
            e.submit(new GenerationRequest("nolp", prompt, greedy(2)), plain);
            plain.await();
            assertThat(plain.events).allSatisfy(t -> assertThat(t.logprobs()).isNull());
        }
    }

    @Test
    void jsonObjectModeOnlyProducesAJsonObjectPrefix() throws Exception {
        int[] prompt = rt.tokenizer().encode("Reply with a JSON object describing a cat:");
        Grammar object = JsonSchemaGrammar.anyObject();
        try (Engine e = engine(small())) {
            for (long seed = 1; seed <= 3; seed++) {
                SamplingParams p = SamplingParams.greedy().withTemperature(1f).withSeed(seed).withMaxTokens(40);
                SequenceResult r = run(e, new GenerationRequest("json" + seed, prompt, p).withGrammar(object));
                GrammarState state = GrammarState.start(object).advance(r.text().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(state).as("seed %d: %s", seed, r.text()).isNotNull();
                assertThat(r.text().strip()).startsWith("{");
                if (r.reason() == StopReason.EOS) {
                    assertThat(state.isComplete()).isTrue();
                    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.text()).isObject()).isTrue();
                } else {
                    assertThat(r.reason()).isEqualTo(StopReason.MAX_TOKENS);
                }
            }
            // Unconstrained, the same random model does not open a JSON object.
            SequenceResult free = run(e, new GenerationRequest("free", prompt, greedy(10)));
            assertThat(free.text().strip()).doesNotStartWith("{");
        }
    }

    /** A prompt whose rows {@code rows} take the given embeddings instead of their tokens' (as image features do). */
    private static MultimodalPrompt imageRows(int[] prompt, int[] rows, float[] embeddings, int hidden) {
        int[][] positions = new int[3][prompt.length];
        for (int[] axis : positions) for (int i = 0; i < axis.length; i++) axis[i] = i;
        boolean[] visual = new boolean[prompt.length];
        for (int r : rows) visual[r] = true;
        return new MultimodalPrompt(prompt, positions, 0, visual, hidden, embeddings, new float[0][]);
    }

    private static SequenceResult run(Engine e, GenerationRequest r) throws Exception {
        Collector c = new Collector();
        e.submit(r, c);
        return c.await();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
