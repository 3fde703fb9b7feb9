package dev.qwen4j.server;

import dev.qwen4j.runtime.SequenceListener;
import dev.qwen4j.runtime.SequenceResult;
import dev.qwen4j.runtime.TokenEvent;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands one request's events from the engine thread to the HTTP thread that writes them, so the engine
 * never waits on a slow client. Events are {@link TokenEvent}s followed by one {@link SequenceResult}.
 */
final class EventQueue implements SequenceListener {
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();

    @Override
    public void onToken(TokenEvent event) {
        events.add(event);
    }

    @Override
    public void onFinish(SequenceResult result) {
        events.add(result);
    }

    /** The next event, or null after timeoutMillis without one. */
    Object poll(long timeoutMillis) throws InterruptedException {
        return events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    Object take() throws InterruptedException {
        return events.take();
    }
}
