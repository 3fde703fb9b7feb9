package dev.qwen4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.qwen4j.testing.Golden;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Cached decoding equals full recomputation, and batching sequences equals running them alone. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvCacheConsistencyTest {
    /** Steps run first, so that comparisons also cover the JIT-compiled kernels, not only the interpreter. */
    private static final int WARM_UP = 30;

    private LanguageModel dense;
    private LanguageModel moe;

    @BeforeAll
    void load() {
        dense = ModelRegistry.load(Golden.model("tiny-qwen3"));
        moe = ModelRegistry.load(Golden.model("tiny-qwen3-moe"));
    }

    @AfterAll
    void close() {
        dense.close();
        moe.close();
    }

    @Test
    void incrementalDecodeEqualsFullRecompute() {
        for (LanguageModel m : new LanguageModel[] {dense, moe}) {
            int[] ids = randomIds(new Random(1), 23);
            KvBlockPool pool = m.newKvPool(4, 0); // small blocks: many block boundaries
            try (KvCache cache = new KvCache(pool, m.contextLength())) {
                ForwardBatch b = new ForwardBatch();
                b.addSequence(cache, ids, 0, 5, false);
                m.forward(b);
                for (int i = 5; i < ids.length; i++) {
                    b.clear();
                    b.add(cache, ids[i], cache.length(), true);
                    float[] step = m.forward(b);
                    float[] full = TextModelGoldenTest.prefill(m, java.util.Arrays.copyOf(ids, i + 1));
                    assertClose(step, full, 1e-4f);
                }
            }
        }
    }

    /**
     * A bf16 cache: decoding step by step reads the same rounded keys and values as one prefill does, so the two
     * agree closely; against an f32 cache the logits move only by the bf16 rounding of K and V.
     */
    @Test
    void bf16CacheDecodesLikeItsPrefillAndCloseToF32() {
        for (LanguageModel m : new LanguageModel[] {dense, moe}) {
            int[] ids = randomIds(new Random(3), 21);
            KvBlockPool pool = m.newKvPool(4, 0, dev.qwen4j.tensor.DType.BF16);
            assertThat(pool.bytesPerBlock()).isEqualTo(m.newKvPool(4, 0).bytesPerBlock() / 2);
            double worst = 0;
            try (KvCache cache = new KvCache(pool, m.contextLength())) {
                ForwardBatch b = new ForwardBatch();
                b.addSequence(cache, ids, 0, 5, false);
                m.forward(b);
                for (int i = 5; i < ids.length; i++) {
                    b.clear();
                    b.add(cache, ids[i], cache.length(), true);
                    float[] step = m.forward(b);
                    int[] prefix = java.util.Arrays.copyOf(ids, i + 1);
                    try (KvCache fresh = new KvCache(pool, m.contextLength())) {
                        ForwardBatch pb = new ForwardBatch();
                        pb.addSequence(fresh, prefix, 0, prefix.length, true);
                        // 1e-3, not f32's 1e-4: a last-bit difference in a K or V element between the two kernel
                        // paths can round it to the neighbouring bf16 value (measured up to 1.2e-4)
                        assertClose(step, m.forward(pb), 1e-3f);
                    }
                    float[] f32 = TextModelGoldenTest.prefill(m, prefix);
                    for (int j = 0; j < f32.length; j++) worst = Math.max(worst, Math.abs(step[j] - f32[j]));
                }
            }
            // logits of the tiny random models span about ±15; bf16 keeps 8 bits of each K and V element
            System.out.println("bf16 KV worst logit change " + worst);
            assertThat(worst).as("largest logit change from bf16 K/V").isGreaterThan(0).isLessThan(5);
        }
    }

    @Test
    void batchedSequencesEqualSeparateRuns() {
        Random r = new Random(7);
        int[] a = randomIds(r, 9), c = randomIds(r, 4);
        float[] aliceAlone = TextModelGoldenTest.prefill(dense, a);
        float[] carolAlone = TextModelGoldenTest.prefill(dense, c);
        KvBlockPool pool = dense.newKvPool(8, 0);
        try (KvCache ca = new KvCache(pool, dense.contextLength()); KvCache cc = new KvCache(pool, dense.contextLength())) {
            ForwardBatch b = new ForwardBatch();
            b.addSequence(ca, a, 0, a.length, true);
            b.addSequence(cc, c, 0, c.length, true);
            float[] both = dense.forward(b);
            int v = dense.vocabSize();
            assertClose(java.util.Arrays.copyOfRange(both, 0, v), aliceAlone, 1e-4f);
            assertClose(java.util.Arrays.copyOfRange(both, v, 2 * v), carolAlone, 1e-4f);
        }
    }

    @Test
    void logitsWrittenIntoAReusedArrayEqualFreshOnes() {
        Random r = new Random(11);
        int[] a = randomIds(r, 6), c = randomIds(r, 3);
        int v = dense.vocabSize();
        KvBlockPool pool = dense.newKvPool(4, 0);
        float[] reuse = new float[3 * v];
        java.util.Arrays.fill(reuse, 7f);
        try (KvCache c1 = new KvCache(pool, 64); KvCache c2 = new KvCache(pool, 64);
             KvCache d1 = new KvCache(pool, 64); KvCache d2 = new KvCache(pool, 64)) {
            ForwardBatch b = new ForwardBatch();
            for (int i = 0; i < WARM_UP; i++) {
                b.clear();
                c1.truncate(0);
                c2.truncate(0);
                b.addSequence(c1, a, 0, a.length, true);
                b.addSequence(c2, c, 0, c.length, true);
                dense.forward(b, reuse);
            }
            b.clear();
            c1.truncate(0);
            c2.truncate(0);
            b.addSequence(c1, a, 0, a.length, true);
            b.addSequence(c2, c, 0, c.length, true);
            float[] fresh = dense.forward(b);
            java.util.Arrays.fill(reuse, 7f);
            b.clear();
            b.addSequence(d1, a, 0, a.length, true);
            b.addSequence(d2, c, 0, c.length, true);
            float[] reused = dense.forward(b, reuse);
            assertThat(reused).isSameAs(reuse);
            assertRounding(java.util.Arrays.copyOf(reused, 2 * v), fresh);
            assertThat(reused[2 * v]).isEqualTo(7f); // past the rows: untouched
            b.clear();
            b.add(d1, 5, d1.length(), true);
            assertThat(dense.forward(b, new float[v - 1])).hasSize(v); // too small: a fresh array
        }
    }

    @Test
    void packedWeightsGiveTheSameBatchedLogits() {
        Random r = new Random(13);
        int[][] seqs = new int[12][];
        for (int i = 0; i < seqs.length; i++) seqs[i] = randomIds(r, 3 + i % 4);
        try (LanguageModel packed = ModelRegistry.load(Golden.model("tiny-qwen3"))) {
            assertThat(packed.packWeightsForBatches()).isPositive();
            assertThat(packed.packWeightsForBatches()).isZero(); // once
            // Same sums in the same order, so equal up to the last bit: the Vector API leaves the order of a
            // float reduceLanes(ADD) open, and interpreted and compiled code (whichever the JIT has ready
            // at the moment) differ there.
            float[] plain = null, withPanels = null;
            for (int i = 0; i < WARM_UP; i++) {
                plain = batchedStep(dense, seqs);
                withPanels = batchedStep(packed, seqs);
            }
            assertRounding(withPanels, plain);
        }
    }

    /** Prefills every sequence in one batch, then one decode step of all of them (12 rows): its logits. */
    private static float[] batchedStep(LanguageModel m, int[][] seqs) {
        KvBlockPool pool = m.newKvPool(4, 0);
        KvCache[] caches = new KvCache[seqs.length];
        try {
            ForwardBatch b = new ForwardBatch();
            for (int i = 0; i < seqs.length; i++) {
                caches[i] = new KvCache(pool, 64);
                b.addSequence(caches[i], seqs[i], 0, seqs[i].length, true);
            }
            float[] prefill = m.forward(b);
            b.clear();
            for (int i = 0; i < seqs.length; i++) b.add(caches[i], seqs[i][0], caches[i].length(), true);
            float[] decode = m.forward(b);
            float[] both = java.util.Arrays.copyOf(prefill, prefill.length + decode.length);
            System.arraycopy(decode, 0, both, prefill.length, decode.length);
            return both;
        } finally {
            for (KvCache c : caches) if (c != null) c.close();
        }
    }

    @Test
    void tokenOutOfRangeIsRejected() {
        assertThatThrownBy(() -> TextModelGoldenTest.prefill(dense, new int[] {1, dense.vocabSize()}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id " + dense.vocabSize()).hasMessageContaining("out of range");
        assertThatThrownBy(() -> TextModelGoldenTest.prefill(dense, new int[] {-3}))
                .hasMessageContaining("token id -3");
    }

    @Test
    void sequencePastTheContextIsRejected() {
        KvBlockPool pool = dense.newKvPool(16, 0);
        try (KvCache cache = new KvCache(pool, 8)) {
            ForwardBatch b = new ForwardBatch();
            b.addSequence(cache, new int[9], 0, 9, true);
            assertThatThrownBy(() -> dense.forward(b)).isInstanceOf(ContextOverflowException.class)
                    .hasMessageContaining("exceeds the context length of 8");
        }
    }

    @Test
    void poolBudgetIsEnforcedAndBlocksReturn() {
        KvBlockPool pool = dense.newKvPool(4, 0);
        KvBlockPool small = new KvBlockPool(pool.layers(), pool.kvDim(), 4, 3);
        try (KvCache cache = new KvCache(small, 100)) {
            assertThat(cache.reserve(12)).isTrue();
            assertThat(small.blocksInUse()).isEqualTo(3);
            assertThat(cache.reserve(13)).isFalse();
            assertThat(small.blocksInUse()).isEqualTo(3);
        }
        assertThat(small.blocksInUse()).isZero();
    }

    private static int[] randomIds(Random r, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(151643);
        return ids;
    }

    private static void assertClose(float[] actual, float[] expected, float tol) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            if (Math.abs(actual[i] - expected[i]) > tol) {
                assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], within(tol));
            }
        }
    }

    /** Equal up to float rounding (1e-4 relative: kernels and the JIT state may order sums differently); a plain loop, as AssertJ's array diff is quadratic. */
    private static void assertRounding(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            float tol = 1e-4f * Math.max(Math.abs(expected[i]), 1f);
            if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
                assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], within(tol));
            }
        }
    }
}
