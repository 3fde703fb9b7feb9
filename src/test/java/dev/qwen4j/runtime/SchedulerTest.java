package dev.qwen4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qwen4j.model.KvBlockPool;
import dev.qwen4j.model.KvCache;
import dev.qwen4j.runtime.sampling.Sampler;
import dev.qwen4j.runtime.sampling.SamplingParams;
import dev.qwen4j.testing.Golden;
import dev.qwen4j.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's decisions on their own: a step is simulated by marking the scheduled slots filled, as
 * the model would.
 */
class SchedulerTest {
    private static final Tokenizer TOKENIZER = Tokenizer.fromModelDir(Golden.model("tiny-qwen3"));
    private static final int BS = 4;

    private final List<Sequence> all = new ArrayList<>();

    private Sequence seq(KvBlockPool pool, int promptLength, int salt) {
        int[] prompt = new int[promptLength];
        for (int i = 0; i < promptLength; i++) prompt[i] = 10 + i + salt * 1000;
        GenerationRequest r = new GenerationRequest("r" + all.size(), prompt, SamplingParams.greedy());
        Sequence s = new Sequence(null, r, new Collector(), new KvCache(pool, 1000), new Sampler(r.params(), 5000, prompt),
                new SequenceOutput(TOKENIZER, List.of(), ReasoningMode.NONE), null, System.nanoTime());
        all.add(s);
        return s;
    }

    private static EngineConfig config(int maxBatchTokens, int maxRunning, boolean prefix) {
        return new EngineConfig(BS, 1, 1000, maxBatchTokens, maxRunning, 100, prefix);
    }

    /** Runs the planned chunks as a forward pass would; sampling appends a token. */
    private static void execute(List<ScheduledChunk> chunks, boolean publish) {
        for (ScheduledChunk c : chunks) {
            Sequence s = c.sequence();
            s.cache.setLength(c.to());
            s.computed = c.to();
            if (publish) s.cache.publishFullBlocks(s.tokens);
            if (c.samples()) s.append(1);
        }
    }

    @Test
    void admitsUpToTheRunningLimitAndTheTokenBudget() {
        KvBlockPool pool = new KvBlockPool(1, 2, BS, 1000);
        Scheduler sch = new Scheduler(config(10, 2, false));
        Sequence a = seq(pool, 3, 0), b = seq(pool, 3, 1), c = seq(pool, 3, 2);
        sch.enqueue(a);
        sch.enqueue(b);
        sch.enqueue(c);
        List<ScheduledChunk> step = sch.schedule(new ArrayList<>());
        assertThat(step).extracting(ScheduledChunk::sequence).containsExactly(a, b);
        assertThat(sch.runningCount()).isEqualTo(2);
        assertThat(sch.waitingCount()).isEqualTo(1);
        execute(step, false);
        sch.remove(a); // a finishes: c takes its place in the same step as b's decode
        step = sch.schedule(new ArrayList<>());
        assertThat(step).extracting(ScheduledChunk::sequence).containsExactly(b, c);
        assertThat(step.get(0).length()).isEqualTo(1);
        assertThat(step.get(1).length()).isEqualTo(3);
    }

    @Test
    void longPromptsAreChunkedAndDecodesGoFirst() {
        KvBlockPool pool = new KvBlockPool(1, 2, BS, 1000);
        Scheduler sch = new Scheduler(config(8, 4, false));
        Sequence dec = seq(pool, 2, 0);
        sch.enqueue(dec);
        execute(sch.schedule(new ArrayList<>()), false); // dec now decodes
        Sequence big = seq(pool, 20, 1);
        sch.enqueue(big);
        List<ScheduledChunk> s1 = sch.schedule(new ArrayList<>());
        assertThat(s1).hasSize(2);
        assertThat(s1.get(0).sequence()).isSameAs(dec);
        assertThat(s1.get(1)).satisfies(c -> {
            assertThat(c.from()).isZero();
            assertThat(c.to()).isEqualTo(7); // 8-token budget minus dec's one
            assertThat(c.samples()).isFalse();
        });
        execute(s1, false);
        List<ScheduledChunk> s2 = sch.schedule(new ArrayList<>());
        assertThat(s2.get(1).from()).isEqualTo(7);
        assertThat(s2.get(1).to()).isEqualTo(14);
        execute(s2, false);
        List<ScheduledChunk> s3 = sch.schedule(new ArrayList<>());
        assertThat(s3.get(1).to()).isEqualTo(20);
        assertThat(s3.get(1).samples()).isTrue(); // the last chunk yields the first output token
    }

    @Test
    void requestsWaitWhileTheKvBudgetIsSpentAndHoldNoBlocksMeanwhile() {
        KvBlockPool pool = new KvBlockPool(1, 2, BS, 3); // 12 slots
        Scheduler sch = new Scheduler(config(100, 4, false));
        Sequence a = seq(pool, 10, 0), b = seq(pool, 6, 1);
        sch.enqueue(a);
        sch.enqueue(b);
        List<ScheduledChunk> step = sch.schedule(new ArrayList<>());
        assertThat(step).extracting(ScheduledChunk::sequence).containsExactly(a);
        assertThat(b.cache.blockCount()).isZero();
        assertThat(pool.blocksInUse()).isEqualTo(3);
        execute(step, false);
        sch.remove(a);
        assertThat(pool.blocksInUse()).isZero();
        assertThat(sch.schedule(new ArrayList<>())).extracting(ScheduledChunk::sequence).containsExactly(b);
    }

    @Test
    void growingPastTheBudgetPreemptsTheNewestSequence() {
        KvBlockPool pool = new KvBlockPool(1, 2, BS, 4); // 16 slots
        Scheduler sch = new Scheduler(config(100, 4, false));
        Sequence old = seq(pool, 8, 0), young = seq(pool, 8, 1);
        sch.enqueue(old);
        sch.enqueue(young);
        execute(sch.schedule(new ArrayList<>()), false); // both prefilled: all 4 blocks used
        assertThat(pool.blocksInUse()).isEqualTo(4);
        List<ScheduledChunk> step = sch.schedule(new ArrayList<>()); // old needs a 5th block for slot 8
        assertThat(step).extracting(ScheduledChunk::sequence).containsExactly(old);
        assertThat(young.preemptions).isEqualTo(1);
        assertThat(young.computed).isZero();
        assertThat(young.cache.blockCount()).isZero();
        assertThat(sch.waitingCount()).isEqualTo(1);
        assertThat(young.size).isEqualTo(9); // its sampled token is kept and recomputed with the prompt later
    }

    @Test
    void aSequenceThatCannotFitEvenAloneIsReported() {
        KvBlockPool pool = new KvBlockPool(1, 2, BS, 2); // 8 slots
        Scheduler sch = new Scheduler(config(100, 4, false));
        Sequence a = seq(pool, 8, 0);
        sch.enqueue(a);
        execute(sch.schedule(new ArrayList<>()), false);
        List<Sequence> oom = new ArrayList<>();
        assertThat(sch.schedule(oom)).isEmpty();
        assertThat(oom).containsExactly(a);
        assertThat(sch.runningCount()).isZero();
    }

    @Test
    void admissionReusesPublishedPrefixBlocks() {
        KvBlockPool pool = new KvBlockPool(1, 2, BS, 100);
        Scheduler sch = new Scheduler(config(100, 4, true));
        Sequence first = seq(pool, 10, 0);
        sch.enqueue(first);
        execute(sch.schedule(new ArrayList<>()), true);
        Sequence same = seq(pool, 10, 0); // the same 10 prompt tokens
        sch.enqueue(same);
        List<ScheduledChunk> step = sch.schedule(new ArrayList<>());
        ScheduledChunk c = step.get(1);
        assertThat(c.sequence()).isSameAs(same);
        assertThat(c.from()).isEqualTo(8); // 2 full blocks adopted, the rest computed
        assertThat(same.cachedPromptTokens).isEqualTo(8);
        assertThat(pool.prefixHitBlocks()).isEqualTo(2);

        Sequence full = seq(pool, 8, 0); // a prompt that is exactly 2 cached blocks still recomputes its last token
        sch.enqueue(full);
        ScheduledChunk last = sch.schedule(new ArrayList<>()).getLast();
        assertThat(last.sequence()).isSameAs(full);
        assertThat(last.from()).isEqualTo(4);
        assertThat(last.to()).isEqualTo(8);
    }
}
