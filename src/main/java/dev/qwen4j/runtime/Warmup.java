package dev.qwen4j.runtime;

import dev.qwen4j.runtime.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One throw-away request through a started engine, so the JIT has compiled the prefill and decode kernels
 * before the first real request: a cold JVM spends its first second or two compiling them (a 15-token prompt
 * ran at 9–10 tokens/s and its first 16 tokens at 20–22/s on Qwen3-0.6B, 2 cores, against ~200 and ~30 warm),
 * which a client with a latency budget would otherwise pay on the first request after every start.
 */
public final class Warmup {
    private Warmup() {}

    /** What the warm-up did. */
    public record Report(int promptTokens, int generatedTokens, long nanos) {}

    /**
     * Runs prompt (ids the model knows) through the engine, greedy, and generates decodeTokens more (end of
     * sequence ignored), waiting at most timeoutSeconds. Throws IllegalStateException if the request failed
     * or did not finish in time (it is cancelled then).
     */
    public static Report run(Engine engine, int[] prompt, int decodeTokens, long timeoutSeconds) throws InterruptedException {
        return run(engine, new GenerationRequest("warmup", prompt, params(decodeTokens)), timeoutSeconds);
    }

    /** Greedy sampling of exactly decodeTokens tokens (end of sequence ignored). */
    public static SamplingParams params(int decodeTokens) {
        return SamplingParams.greedy().withMaxTokens(decodeTokens).withIgnoreEos(true);
    }

    /** {@link #run(Engine, int[], int, long)} for a request built elsewhere (an image prompt, say). */
    public static Report run(Engine engine, GenerationRequest request, long timeoutSeconds) throws InterruptedException {
        return runTogether(engine, List.of(request), timeoutSeconds);
    }

    /**
     * Submits the requests at once, so the engine batches them (the kernels for several sequences per step are others
     * than for one), and waits for all; the report sums their tokens. Fails as {@link #run(Engine, int[], int, long)}.
     */
    public static Report runTogether(Engine engine, List<GenerationRequest> requests, long timeoutSeconds) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(requests.size());
        List<SequenceResult> results = new CopyOnWriteArrayList<>();
        List<RequestHandle> handles = new ArrayList<>();
        long t0 = System.nanoTime();
        SequenceListener listener = new SequenceListener() {
            @Override
            public void onToken(TokenEvent event) {}

            @Override
            public void onFinish(SequenceResult r) {
                results.add(r);
                done.countDown();
            }
        };
        try {
            for (GenerationRequest r : requests) handles.add(engine.submit(r, listener));
        } catch (RuntimeException e) {
            handles.forEach(RequestHandle::cancel);
            throw e;
        }
        if (!done.await(timeoutSeconds, TimeUnit.SECONDS)) {
            handles.forEach(RequestHandle::cancel);
            throw new IllegalStateException("the warm-up request did not finish in " + timeoutSeconds + " s");
        }
        int prompt = 0, generated = 0;
        for (SequenceResult r : results) {
            if (r.reason() == StopReason.ERROR || r.reason() == StopReason.CANCELLED || r.reason() == StopReason.TIMEOUT) {
                throw new IllegalStateException("the warm-up request ended with " + r.reason()
                        + (r.error() != null ? ": " + r.error().getMessage() : ""), r.error());
            }
            prompt += r.promptTokens();
            generated += r.completionTokens();
        }
        return new Report(prompt, generated, System.nanoTime() - t0);
    }
}
