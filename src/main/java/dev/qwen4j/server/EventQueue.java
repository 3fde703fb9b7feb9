package dev.qwen4j.server;

import dev.qwen4j.runtime.SequenceListener;
import dev.qwen4j.runtime.SequenceResult;
import dev.qwen4j.runtime.TokenEvent;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands one HTTP request's events from the engine thread to the HTTP thread that writes them, so the engine
 * never waits on a slow client. Each of the request's sequences (its choices, {@code n}) listens through
 * {@link #choice}; events arrive as {@link Indexed} pairs: {@link TokenEvent}s, then one
 * {@link SequenceResult} per choice.
 */
final class EventQueue {
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();

    /** An event of choice {@code index}. */
    record Indexed(int index, Object event) {}

    /** The listener for choice {@code index}'s sequence. */
    SequenceListener choice(int index) {
        return new SequenceListener() {
            @Override
            public void onToken(TokenEvent event) {
                events.add(new Indexed(index, event));
            }

            @Override
            public void onFinish(SequenceResult result) {
                events.add(new Indexed(index, result));
            }
        };
    }

    /** The next event, or null after timeoutMillis without one. */
    Indexed poll(long timeoutMillis) throws InterruptedException {
        return (Indexed) events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}
