package dev.qwen4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qwen4j.testing.Golden;
import dev.qwen4j.runtime.sampling.SamplingParams;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The decode loop reuses one logits buffer: a token must not cost a vocabulary-sized allocation. */
class GeneratorAllocationTest {
    @Test
    void decodeStepsDoNotAllocateALogitsArrayEach() {
        var threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
                "per-thread allocation counters are not available");
        var counter = (com.sun.management.ThreadMXBean) threads;
        try (Qwen3Runtime rt = Qwen3Runtime.open(Golden.model("tiny-qwen3")); Generator g = rt.newGenerator()) {
            int[] prompt = {9707, 11, 1879, 525, 498, 30};
            SamplingParams few = SamplingParams.greedy().withMaxTokens(8).withIgnoreEos(true);
            SamplingParams many = SamplingParams.greedy().withMaxTokens(72).withIgnoreEos(true);
            for (int i = 0; i < 40; i++) g.generate(prompt, many, GenerationListener.NONE); // warm up (JIT, buffers)
            long t = Thread.currentThread().threadId();
            // the least of a few measurements: code still waiting for C2 boxes vectors, but a logits array per
            // token would show in every one
            double perToken = Double.MAX_VALUE;
            for (int attempt = 0; attempt < 3; attempt++) {
                long a0 = counter.getThreadAllocatedBytes(t);
                int fewTokens = g.generate(prompt, few, GenerationListener.NONE).tokenIds().length;
                long a1 = counter.getThreadAllocatedBytes(t);
                int manyTokens = g.generate(prompt, many, GenerationListener.NONE).tokenIds().length;
                long a2 = counter.getThreadAllocatedBytes(t);
                assertThat(manyTokens - fewTokens).isEqualTo(64);
                perToken = Math.min(perToken, ((a2 - a1) - (a1 - a0)) / 64.0);
            }
            int logitsBytes = 4 * rt.model().vocabSize(); // 608 KB for Qwen3's vocabulary
            assertThat(perToken).as("bytes allocated per decoded token").isLessThan(logitsBytes / 8.0);
        }
    }
}
