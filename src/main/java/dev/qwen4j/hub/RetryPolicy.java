package dev.qwen4j.hub;

import java.io.IOException;
import java.time.Duration;

/**
 * How often a hub request that failed for a passing reason is tried again, and how long to wait
 * in between ({@code initialBackoff}, doubling, at most {@code maxBackoff}). Passing reasons are
 * I/O errors on the connection and {@link HubException.Reason#NETWORK} failures (HTTP 429/5xx).
 */
record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    /** Like huggingface_hub: 5 tries, starting one second apart. */
    static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(8));

    /** One try of a request. I/O errors it throws must come from the network, not the disk. */
    @FunctionalInterface
    interface Attempt<T> {
        T run() throws IOException, InterruptedException;
    }

    RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
    }

    /** Runs {@code attempt} until it succeeds, fails for good, or the tries are used up. */
    <T> T run(HubRequestContext context, Attempt<T> attempt) {
        for (int tries = 1; ; tries++) {
            try {
                return attempt.run();
            } catch (HubException e) {
                if (e.reason() != HubException.Reason.NETWORK || tries >= maxAttempts) throw e;
            } catch (IOException e) {
                if (tries >= maxAttempts) throw HubErrors.network(context, e);
            } catch (InterruptedException e) {
                throw HubErrors.interrupted(context, e);
            }
            try {
                Thread.sleep(backoffAfter(tries));
            } catch (InterruptedException e) {
                throw HubErrors.interrupted(context, e);
            }
        }
    }

    Duration backoffAfter(int tries) {
        Duration backoff = initialBackoff.multipliedBy(1L << Math.min(tries - 1, 20));
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }
}
