package dev.qwen4j.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Gathers one request's events in a test. */
final class Collector implements SequenceListener {
    final List<TokenEvent> events = new ArrayList<>();
    final CompletableFuture<SequenceResult> result = new CompletableFuture<>();
    final CountDownLatch firstToken = new CountDownLatch(1);

    @Override
    public synchronized void onToken(TokenEvent event) {
        events.add(event);
        firstToken.countDown();
    }

    @Override
    public void onFinish(SequenceResult r) {
        result.complete(r);
    }

    SequenceResult await() throws Exception {
        return result.get(120, TimeUnit.SECONDS);
    }

    synchronized String text(boolean reasoning) {
        StringBuilder b = new StringBuilder();
        for (TokenEvent e : events) b.append(reasoning ? e.reasoning() : e.content());
        return b.toString();
    }

    synchronized String text() {
        StringBuilder b = new StringBuilder();
        for (TokenEvent e : events) b.append(e.text());
        return b.toString();
    }
}
