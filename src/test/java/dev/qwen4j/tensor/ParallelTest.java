package dev.qwen4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** Runs forRange and checks: every index exactly once, ≤ threads chunks, grain-aligned chunks. */
    private static void checkCover(int n, int grain) {
        checkCover(n, grain, -1);
    }

    /** As above for forChunks with the given chunk count (-1: forRange, whose limit is the thread count). */
    private static void checkCover(int n, int grain, int maxChunks) {
        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
        ConcurrentLinkedQueue<int[]> chunks = new ConcurrentLinkedQueue<>();
        Parallel.RangeTask task = (from, to) -> {
            chunks.add(new int[] {from, to});
            for (int i = from; i < to; i++) hits.incrementAndGet(i);
        };
        if (maxChunks < 0) Parallel.forRange(n, grain, task);
        else Parallel.forChunks(n, grain, maxChunks, task);
        int limit = maxChunks < 0 || Parallel.threads() == 1 ? Parallel.threads() : Math.max(1, maxChunks);
        String what = "n=" + n + " grain=" + grain + " threads=" + Parallel.threads() + " chunks=" + maxChunks;
        for (int i = 0; i < n; i++) {
            if (hits.get(i) != 1) fail(what + ": index " + i + " ran " + hits.get(i) + " times");
        }
        if (n <= 0) {
            assertTrue(chunks.isEmpty(), what);
            return;
        }
        assertTrue(chunks.size() <= limit, what + ": " + chunks.size() + " chunks");
        int g = Math.max(1, grain);
        for (int[] c : chunks) {
            assertTrue(c[0] < c[1], what + ": empty chunk");
            assertEquals(0, c[0] % g, what + ": chunk start " + c[0]);
            if (c[1] != n) assertEquals(0, c[1] % g, what + ": chunk end " + c[1]);
        }
    }

    @Test
    void coversEveryIndexExactlyOnce() {
        for (int threads : new int[] {1, 2, 3, 4, 7}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 2, 3, 5, 16, 17, 31, 100, 1000, 1023, 100_003}) {
                for (int grain : new int[] {0, 1, 2, 3, 16, 32, 64, 1000}) checkCover(n, grain);
            }
        }
    }

    @Test
    void moreChunksThanThreadsCoverEveryIndexExactlyOnce() {
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 17, 1000, 100_003}) {
                for (int grain : new int[] {1, 16}) {
                    for (int chunks : new int[] {0, 1, 5, 8, 64}) checkCover(n, grain, chunks);
                }
            }
        }
        Parallel.setThreads(2);
        ConcurrentLinkedQueue<int[]> chunks = new ConcurrentLinkedQueue<>();
        Parallel.forChunks(1024, 16, 8, (from, to) -> chunks.add(new int[] {from, to}));
        assertEquals(8, chunks.size());
        // guided: sizes shrink from 1024·15/64 = 240 to 1024/64 = 16 (rounded to the grain)
        int[][] sorted = chunks.stream().sorted((x, y) -> Integer.compare(x[0], y[0])).toArray(int[][]::new);
        assertEquals(240, sorted[0][1] - sorted[0][0]);
        assertEquals(16, sorted[7][1] - sorted[7][0]);
        for (int i = 1; i < 8; i++) assertTrue(sorted[i][1] - sorted[i][0] <= sorted[i - 1][1] - sorted[i - 1][0], "sizes shrink");
    }

    @Test
    void splitsEvenlyAtGrainGranularity() {
        Parallel.setThreads(2);
        ConcurrentLinkedQueue<int[]> chunks = new ConcurrentLinkedQueue<>();
        Parallel.forRange(1024, 32, (from, to) -> chunks.add(new int[] {from, to}));
        assertEquals(2, chunks.size());
        for (int[] c : chunks) assertEquals(512, c[1] - c[0]);
    }

    @Test
    void nestedCallsRunInline() {
        Parallel.setThreads(3);
        int outer = 12, inner = 50;
        AtomicIntegerArray hits = new AtomicIntegerArray(outer * inner);
        Parallel.forRange(outer, 1, (from, to) -> {
            for (int o = from; o < to; o++) {
                int base = o * inner;
                Parallel.forRange(inner, 4, (f, t) -> {
                    for (int i = f; i < t; i++) hits.incrementAndGet(base + i);
                });
            }
        });
        for (int i = 0; i < outer * inner; i++) assertEquals(1, hits.get(i), "index " + i);
    }

    @Test
    void exceptionsPropagateAndThePoolKeepsWorking() {
        Parallel.setThreads(2);
        for (int rep = 0; rep < 20; rep++) {
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> Parallel.forRange(100, 1, (from, to) -> {
                        if (from == 0) throw new IllegalStateException("boom");
                    }));
            assertEquals("boom", thrown.getMessage());
            checkCover(100, 1);
        }
    }

    @Test
    void concurrentCallersAllCompleteCorrectly() throws Exception {
        Parallel.setThreads(2);
        int callers = 4;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            int seed = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int rep = 0; rep < 300; rep++) checkCover(1 + (rep * 37 + seed * 11) % 500, 1 + rep % 17);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : threads) th.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
    }

    @Test
    void oneThreadRunsOnTheCaller() {
        Parallel.setThreads(1);
        Thread caller = Thread.currentThread();
        Parallel.forRange(1000, 1, (from, to) -> {
            assertSame(caller, Thread.currentThread());
            assertEquals(0, from);
            assertEquals(1000, to);
        });
    }

    @Test
    void rejectsZeroThreads() {
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }
}
