package dev.qwen4j.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The compute thread pool. Work is split by ranges of rows so every core gets an even, contiguous
 * share; the calling thread takes part so a 1-thread pool costs nothing.
 *
 * <p>Decoding one token runs a few hundred matrix-vector products of 50–500 µs each, so the cost of a
 * fork/join round trip matters: a {@link ForkJoinPool#invoke} costs 10–20 µs on the target machine
 * (a sleeping worker has to be woken through the kernel). The pool here keeps {@code threads - 1}
 * persistent workers that spin for a short while ({@code qwen4j.spinMicros}, default 100 µs) after
 * each job before parking, so back-to-back calls dispatch in about a microsecond. Chunks are
 * claimed through an atomic counter, so when a worker is late (parked, descheduled) the caller
 * simply runs its chunk too.
 *
 * <p>Calls that cannot use the workers fall back to the old fork/join path (a second thread calling
 * while another dispatch is in flight) or run on the caller (calls nested inside a task), so
 * nothing deadlocks.
 */
public final class Parallel {
    /** A half-open range [from, to) of work items. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(
            Long.getLong("qwen4j.spinMicros", 100L));

    /** Serialises dispatches to the persistent workers and guards {@link #setThreads}. */
    private static final ReentrantLock DISPATCH = new ReentrantLock();

    private static volatile int threads = defaultThreads();
    private static volatile Crew crew = new Crew(threads);
    /** Fallback for concurrent callers; created on first use. */
    private static volatile ForkJoinPool fallbackPool;

    private Parallel() {}

    private static int defaultThreads() {
        String env = System.getenv("QWEN4J_THREADS");
        String prop = System.getProperty("qwen4j.threads", env);
        if (prop != null && !prop.isBlank()) {
            return Math.max(1, Integer.parseInt(prop.trim()));
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public static int threads() {
        return threads;
    }

    /** Sets the number of compute threads (1 = run everything on the caller). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        DISPATCH.lock(); // no dispatch is in flight while the crew is swapped
        try {
            Crew old = crew;
            threads = n;
            crew = new Crew(n);
            old.shutdown();
            ForkJoinPool fj = fallbackPool;
            fallbackPool = null;
            if (fj != null) fj.shutdown();
        } finally {
            DISPATCH.unlock();
        }
    }

    /**
     * Runs task over [0, n) split into at most {@link #threads()} contiguous chunks whose sizes are
     * multiples of grain (except the last), so vector loops see whole blocks. Chunk i covers
     * [⌊blocks·i/parts⌋·grain, ⌊blocks·(i+1)/parts⌋·grain) ∩ [0, n), so the split is as even as the grain
     * allows. Returns when every chunk has run; an exception thrown by a chunk is rethrown here.
     */
    public static void forRange(int n, int grain, RangeTask task) {
        split(n, grain, threads, false, task);
    }

    /**
     * Like {@link #forRange} but split into up to {@code chunks} chunks, which the threads claim one at
     * a time. More chunks than threads let the others take over the share of a thread that the OS
     * has descheduled (a shared machine) instead of waiting for it. Chunks shrink towards the end
     * (guided: chunk i ends at 1 − ((chunks − i − 1)/chunks)² of the range), so the threads finish
     * within a small last chunk of each other: equal chunks of 1/8 left up to 1/8 of the run as
     * one thread's tail.
     */
    public static void forChunks(int n, int grain, int chunks, RangeTask task) {
        split(n, grain, chunks, true, task);
    }

    private static void split(int n, int grain, int chunks, boolean guided, RangeTask task) {
        if (n <= 0) return;
        int t = threads;
        int g = Math.max(1, grain);
        int blocks = (int) (((long) n + g - 1) / g);
        int parts = t <= 1 ? 1 : Math.min(Math.max(1, chunks), blocks);
        if (parts <= 1 || Thread.currentThread() instanceof Worker || DISPATCH.isHeldByCurrentThread()) {
            // one chunk, or nested inside a running task: the workers are busy with the outer job
            task.run(0, n);
            return;
        }
        if (DISPATCH.tryLock()) {
            try {
                crew.run(task, n, g, blocks, parts, guided);
            } finally {
                DISPATCH.unlock();
            }
        } else {
            fallback().invoke(new Chunk(task, n, g, blocks, parts, guided, 0, parts));
        }
    }

    private static ForkJoinPool fallback() {
        ForkJoinPool p = fallbackPool;
        if (p == null) {
            synchronized (Parallel.class) {
                p = fallbackPool;
                if (p == null) fallbackPool = p = new ForkJoinPool(threads);
            }
        }
        return p;
    }

    static int chunkFrom(int n, int grain, int blocks, int parts, int i) {
        return Math.min(n, (int) ((long) blocks * i / parts) * grain);
    }

    /** Start of chunk i of a guided split: blocks · (1 − ((parts − i)/parts)²), in grains. */
    static int guidedChunkFrom(int n, int grain, int blocks, int parts, int i) {
        long rest = (long) (parts - i) * (parts - i);
        long b = blocks - (long) blocks * rest / ((long) parts * parts);
        return (int) Math.min(n, b * grain);
    }

    private static int chunkFrom(int n, int grain, int blocks, int parts, boolean guided, int i) {
        return guided ? guidedChunkFrom(n, grain, blocks, parts, i) : chunkFrom(n, grain, blocks, parts, i);
    }

    /** Marker type so nested calls from inside a task are recognised and run inline. */
    private static final class Worker extends Thread {
        private final Crew crew;
        private volatile boolean parked;

        Worker(Crew crew, int index) {
            super("qwen4j-compute-" + index);
            this.crew = crew;
            setDaemon(true);
        }

        @Override
        public void run() {
            crew.workLoop(this);
        }
    }

    /** One call of {@link #forRange}: immutable parameters plus its own claim and completion counters. */
    private static final class Job {
        final RangeTask task;
        final int n, grain, blocks, parts;
        final boolean guided;
        /** Next chunk index to claim; a participant that read a finished job finds it exhausted. */
        final AtomicInteger next = new AtomicInteger();
        /** Chunks not yet finished. */
        final AtomicInteger pending;
        volatile Throwable failure;

        Job(RangeTask task, int n, int grain, int blocks, int parts, boolean guided) {
            this.task = task;
            this.guided = guided;
            this.n = n;
            this.grain = grain;
            this.blocks = blocks;
            this.parts = parts;
            this.pending = new AtomicInteger(parts);
        }

        void claimChunks() {
            for (int i; (i = next.getAndIncrement()) < parts; ) {
                try {
                    int from = chunkFrom(n, grain, blocks, parts, guided, i);
                    int to = chunkFrom(n, grain, blocks, parts, guided, i + 1);
                    if (from < to) task.run(from, to);
                } catch (Throwable e) {
                    if (failure == null) failure = e;
                } finally {
                    pending.decrementAndGet();
                }
            }
        }
    }

    /**
     * One generation of persistent workers. A job is published through the volatile {@link #job}
     * field; every participant (workers and the caller) then claims chunks from it until none are left.
     */
    private static final class Crew {
        private static final Job IDLE = new Job((from, to) -> {}, 0, 1, 0, 0, false);
        private final Worker[] workers;
        private volatile Job job = IDLE;
        private volatile boolean stopped;

        Crew(int threads) {
            workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        void run(RangeTask task, int n, int grain, int blocks, int parts, boolean guided) {
            Job j = new Job(task, n, grain, blocks, parts, guided);
            job = j; // volatile write publishes the job
            for (Worker w : workers) {
                if (w.parked) LockSupport.unpark(w);
            }
            j.claimChunks();
            // Wait for chunks claimed by workers. They started at most a chunk's duration ago, so
            // spinning (rather than parking) is the cheapest wait.
            int spins = 0;
            while (j.pending.get() != 0) {
                Thread.onSpinWait();
                if (++spins > 1 << 16) Thread.yield();
            }
            job = IDLE; // do not keep the task (and what it captured) reachable between calls
            Throwable f = j.failure;
            if (f != null) {
                if (f instanceof RuntimeException re) throw re;
                if (f instanceof Error e) throw e;
                throw new RuntimeException(f);
            }
        }

        void workLoop(Worker self) {
            Job seen = job;
            while (!stopped) {
                Job j = awaitJob(self, seen);
                if (j == seen) continue; // spurious wake-up or stop
                seen = j;
                j.claimChunks();
            }
        }

        /** Spins briefly for a new job, then parks; returns the job observed (maybe still {@code seen}). */
        private Job awaitJob(Worker self, Job seen) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            int spins = 0;
            Job j;
            while ((j = job) == seen) {
                if (stopped) return seen;
                Thread.onSpinWait();
                if ((++spins & 255) == 0 && System.nanoTime() > deadline) {
                    // Announce the park, then re-check, so a publish racing with it is not missed: the
                    // caller writes job before reading parked, we write parked before reading job.
                    self.parked = true;
                    if (job == seen && !stopped) LockSupport.park(this);
                    self.parked = false;
                    return job;
                }
            }
            return j;
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }
    }

    /** The fork/join split used when the persistent workers are busy with another caller's job. */
    private static final class Chunk extends RecursiveAction {
        private final RangeTask task;
        private final int n, grain, blocks, parts, lo, hi;
        private final boolean guided;

        Chunk(RangeTask task, int n, int grain, int blocks, int parts, boolean guided, int lo, int hi) {
            this.task = task;
            this.guided = guided;
            this.n = n;
            this.grain = grain;
            this.blocks = blocks;
            this.parts = parts;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int from = chunkFrom(n, grain, blocks, parts, guided, lo);
                int to = chunkFrom(n, grain, blocks, parts, guided, lo + 1);
                if (from < to) task.run(from, to);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunk(task, n, grain, blocks, parts, guided, lo, mid), new Chunk(task, n, grain, blocks, parts, guided, mid, hi));
        }
    }
}
