package dev.qwen4j.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps two downloads of the same blob, in this process or another, from writing the same
 * {@code .incomplete} file: a lock file under {@code <cache>/.locks/}, as huggingface_hub keeps,
 * plus an in-process lock (file locks are held per process, not per thread). Where the file
 * system cannot lock, only the in-process lock is held.
 */
final class BlobLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock processLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private BlobLock(ReentrantLock processLock, FileChannel channel, FileLock fileLock) {
        this.processLock = processLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Blocks until this thread holds the lock. */
    static BlobLock acquire(Path lockFile) throws IOException, InterruptedException {
        Path key = lockFile.toAbsolutePath().normalize();
        ReentrantLock processLock = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
        processLock.lockInterruptibly();
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = lockIfSupported(channel);
            return new BlobLock(processLock, channel, fileLock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) channel.close();
            processLock.unlock();
            throw e;
        }
    }

    private static FileLock lockIfSupported(FileChannel channel) {
        try {
            return channel.lock();
        } catch (IOException | UnsupportedOperationException notSupported) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        try (channel) {
            if (fileLock != null) fileLock.release();
        } finally {
            processLock.unlock();
        }
    }
}
