package dev.qwen4j.hub;

import me.tongfei.progressbar.ProgressBarConsumer;

/**
 * A progress-bar consumer that ends its line once, on the first close, and ignores renders arriving after
 * it. The library renders on a timer thread: whether its own close ends the line depends on whether the
 * timer had drawn the bar yet, and a render already under way could print after the final one.
 */
final class ClosingConsumer implements ProgressBarConsumer {
    private final ProgressBarConsumer delegate;
    private boolean closed;

    ClosingConsumer(ProgressBarConsumer delegate) {
        this.delegate = delegate;
    }

    @Override
    public int getMaxRenderedLength() {
        return delegate.getMaxRenderedLength();
    }

    @Override
    public synchronized void accept(String rendered) {
        if (!closed) delegate.accept(rendered);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        delegate.close();
    }
}
