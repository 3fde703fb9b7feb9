package dev.qwen4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qwen4j.api.Qwen3Runtime;
import dev.qwen4j.model.ForwardBatch;
import dev.qwen4j.model.KvBlockPool;
import dev.qwen4j.model.LanguageModel;
import dev.qwen4j.tensor.DType;
import dev.qwen4j.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The serve warm-up: one real request through the engine, its failures reported rather than swallowed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarmupTest {
    private Qwen3Runtime rt;

    @BeforeAll
    void open() {
        rt = Qwen3Runtime.open(Golden.model("tiny-qwen3"));
    }

    @AfterAll
    void close() {
        rt.close();
    }

    private Engine engine(EngineConfig c) {
        return new Engine(new CountingModel(rt.model()), rt.tokenizer(), rt.eosTokenIds(), c);
    }

    @Test
    void runsThePromptAndGeneratesPastEndOfSequence() throws Exception {
        int[] prompt = rt.tokenizer().encode("The inspection camera photographs each part on the line.");
        try (Engine e = engine(EngineConfig.defaults().withKvBudgetBytes(64L << 20))) {
            Warmup.Report r = Warmup.run(e, prompt, 12, 60);
            assertThat(r.promptTokens()).isEqualTo(prompt.length);
            assertThat(r.generatedTokens()).isEqualTo(12); // the tiny model's end-of-sequence tokens are ignored
            assertThat(r.nanos()).isPositive();
            assertThat(e.metrics().promptTokens()).isEqualTo(prompt.length);
            assertThat(e.metrics().generatedTokens()).isEqualTo(12);
            assertThat(e.metrics().finishedRequests(StopReason.MAX_TOKENS)).isEqualTo(1);
            assertThat(e.metrics().requestLatency().count()).isEqualTo(1);
            // serve starts its metrics over after the warm-up
            e.metrics().reset();
            assertThat(e.metrics().promptTokens()).isZero();
            assertThat(e.metrics().generatedTokens()).isZero();
            assertThat(e.metrics().steps()).isZero();
            assertThat(e.metrics().batchedTokens()).isZero();
            assertThat(e.metrics().finishedRequests(StopReason.MAX_TOKENS)).isZero();
            assertThat(e.metrics().requestLatency().count()).isZero();
            assertThat(e.metrics().requestLatency().sum()).isZero();
            assertThat(e.metrics().requestLatency().cumulativeCount(e.metrics().requestLatency().bounds().length)).isZero();
            assertThat(e.metrics().timeToFirstToken().count()).isZero();
            assertThat(e.metrics().timePerOutputToken().count()).isZero();
            // and counts what follows
            Warmup.run(e, prompt, 3, 60);
            assertThat(e.metrics().generatedTokens()).isEqualTo(3);
            assertThat(e.metrics().requestLatency().count()).isEqualTo(1);
        }
    }

    @Test
    void resetMetricsAlsoStartsThePrefixCacheHitsOver() throws Exception {
        // 40 tokens: two full 16-token blocks, which the second run of the same prompt reuses
        int[] prompt = new int[40];
        for (int i = 0; i < prompt.length; i++) prompt[i] = 100 + i;
        try (Engine e = engine(EngineConfig.defaults().withKvBudgetBytes(64L << 20))) {
            Warmup.run(e, prompt, 2, 60);
            Warmup.run(e, prompt, 2, 60);
            long hits = e.snapshot().prefixHitBlocks();
            assertThat(hits).isPositive();
            e.resetMetrics();
            assertThat(e.snapshot().prefixHitBlocks()).isZero();
            assertThat(e.snapshot().preemptions()).isZero();
            assertThat(e.metrics().promptTokens()).isZero();
            // and counts what follows from zero: one more reuse of the prompt, as many blocks as the first one
            Warmup.run(e, prompt, 2, 60);
            assertThat(e.snapshot().prefixHitBlocks()).isEqualTo(hits);
        }
    }

    @Test
    void aPromptTheEngineRefusesFailsTheWarmupWithTheReason() {
        int[] prompt = new int[40];
        try (Engine e = engine(EngineConfig.defaults().withKvBudgetBytes(64L << 20).withMaxModelLen(32))) {
            assertThatThrownBy(() -> Warmup.run(e, prompt, 4, 60))
                    .isInstanceOf(PromptTooLongException.class)
                    .hasMessageContaining("40 tokens");
        }
    }

    @Test
    void aRequestThatEndsInErrorFailsTheWarmup() {
        int[] prompt = {1, 2, 3};
        try (Engine e = new Engine(new FailingModel(rt.model()), rt.tokenizer(), rt.eosTokenIds(),
                EngineConfig.defaults().withKvBudgetBytes(64L << 20))) {
            assertThatThrownBy(() -> Warmup.run(e, prompt, 4, 60))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ERROR")
                    .hasMessageContaining("no kernels here");
        }
    }

    /** A model whose forward pass fails, as a broken kernel or an unreadable weight would. */
    private static final class FailingModel implements LanguageModel {
        private final LanguageModel inner;

        FailingModel(LanguageModel inner) {
            this.inner = inner;
        }

        @Override public int vocabSize() { return inner.vocabSize(); }
        @Override public int contextLength() { return inner.contextLength(); }
        @Override public int hiddenSize() { return inner.hiddenSize(); }
        @Override public KvBlockPool newKvPool(int blockSize, long budgetBytes, DType dtype) { return inner.newKvPool(blockSize, budgetBytes, dtype); }
        @Override public long weightBytesPerToken() { return inner.weightBytesPerToken(); }
        @Override public long flopsPerToken() { return inner.flopsPerToken(); }

        @Override
        public float[] forward(ForwardBatch batch) {
            throw new IllegalStateException("no kernels here");
        }

        @Override
        public void close() {}
    }
}
