package dev.qwen4j.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One repository's folder in the huggingface_hub cache, shared with Python tools:
 * <pre>
 * models--{org}--{name}/
 *   blobs/{etag}                 file contents, named by ETag ({etag}.incomplete while downloading)
 *   refs/{revision}              the commit hash a branch or tag pointed at when last pulled
 *   snapshots/{commit}/{path}    relative symlinks to ../../blobs/{etag}
 * </pre>
 * and the lock files of its downloads under {@code .locks/models--{org}--{name}/}.
 */
final class RepoCache {
    private final RepoId repo;
    private final Path repoDir;
    private final Path lockDir;

    RepoCache(Path cacheDir, RepoId repo) {
        this.repo = repo;
        this.repoDir = cacheDir.resolve(repo.cacheFolderName());
        this.lockDir = cacheDir.resolve(".locks").resolve(repo.cacheFolderName());
    }

    Path blob(Etag etag) {
        return repoDir.resolve("blobs").resolve(etag.value());
    }

    Path incompleteBlob(Etag etag) {
        return repoDir.resolve("blobs").resolve(etag.value() + ".incomplete");
    }

    Path blobLock(Etag etag) {
        return lockDir.resolve(etag.value() + ".lock");
    }

    Path snapshot(String commit) {
        return repoDir.resolve("snapshots").resolve(commit);
    }

    /**
     * Where a repository file appears in a snapshot.
     *
     * @throws HubException when the path would leave the snapshot folder (a hostile listing)
     */
    Path pointer(String commit, String repoPath) {
        Path snapshot = snapshot(commit);
        Path pointer = snapshot.resolve(repoPath).normalize();
        if (repoPath.startsWith("/") || repoPath.contains("\\") || !pointer.startsWith(snapshot)
                || pointer.equals(snapshot)) {
            throw new HubException(HubException.Reason.PROTOCOL,
                    "Refusing file '" + repoPath + "' of " + repo + ": its path leaves the snapshot folder");
        }
        return pointer;
    }

    /**
     * Makes {@code pointer} a relative symlink to {@code blob}, replacing whatever was there.
     * Where the file system refuses symlinks (Windows without developer mode), copies the blob,
     * as huggingface_hub does.
     */
    static void link(Path pointer, Path blob) throws IOException {
        Files.createDirectories(pointer.getParent());
        Files.deleteIfExists(pointer);
        Path target = pointer.getParent().toAbsolutePath().normalize()
                .relativize(blob.toAbsolutePath().normalize());
        try {
            Files.createSymbolicLink(pointer, target);
        } catch (UnsupportedOperationException | FileSystemException symlinksRefused) {
            Files.copy(blob, pointer, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    Optional<String> readRef(String revision) throws IOException {
        Path ref = ref(revision);
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
        return RepoRevision.isCommitHash(commit) ? Optional.of(commit) : Optional.empty();
    }

    /** Records that {@code revision} points at {@code commit}; written atomically. */
    void writeRef(String revision, String commit) throws IOException {
        Path ref = ref(revision);
        Files.createDirectories(ref.getParent());
        Path temporary = Files.createTempFile(ref.getParent(), ".ref-", ".tmp");
        try {
            Files.writeString(temporary, commit, StandardCharsets.UTF_8);
            Files.move(temporary, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * The snapshot folder of {@code commit} if it holds at least one file and every file in it
     * leads to an existing blob (no download of it was cut short).
     */
    Optional<Path> completeSnapshot(String commit) throws IOException {
        Path snapshot = snapshot(commit);
        if (!Files.isDirectory(snapshot)) {
            return Optional.empty();
        }
        List<Path> files;
        try (Stream<Path> entries = Files.walk(snapshot)) {
            files = entries.filter(p -> !Files.isDirectory(p)).toList();
        }
        boolean complete = !files.isEmpty() && files.stream().allMatch(Files::isRegularFile);
        return complete ? Optional.of(snapshot) : Optional.empty();
    }

    private Path ref(String revision) {
        Path refs = repoDir.resolve("refs");
        Path ref = refs.resolve(revision).normalize();
        if (!ref.startsWith(refs) || ref.equals(refs)) {
            throw new IllegalArgumentException("Not a usable revision name: " + revision);
        }
        return ref;
    }
}
