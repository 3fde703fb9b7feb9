package dev.qwen4j.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Downloads model repositories from the Hugging Face hub into the cache huggingface_hub uses, in
 * the same layout, so Python tools and qwen4j share the files:
 * {@code <cache>/models--{org}--{name}/snapshots/{commit}/...} links into {@code blobs/}, and
 * {@code refs/{revision}} names the commit a branch or tag was at.
 *
 * <p>A pull asks the hub which commit the revision is at and which files it has, then downloads
 * each selected file that the snapshot lacks, resuming partial downloads and verifying every file
 * against its ETag (SHA-256 for LFS files, git blob SHA-1 otherwise). Content already in
 * {@code blobs/} is linked, not downloaded again.
 */
public final class HubClient {
    private static final String DEFAULT_REVISION = "main";

    private final URI endpoint;
    private final String token;
    private final Path cacheDir;
    private final boolean offline;
    private final HubApi api;
    private final BlobDownloader downloader;

    /**
     * @param endpoint the hub, e.g. {@code https://huggingface.co}
     * @param token an access token sent as {@code Authorization: Bearer}, or null
     * @param cacheDir the hub cache folder (huggingface_hub's {@code HF_HUB_CACHE})
     */
    public HubClient(URI endpoint, String token, Path cacheDir) {
        this(endpoint, token, cacheDir, false, HubEnvironment.DEFAULT_TIMEOUT, RetryPolicy.DEFAULT);
    }

    HubClient(URI endpoint, String token, Path cacheDir, boolean offline, Duration timeout, RetryPolicy retry) {
        this.endpoint = withoutTrailingSlash(Objects.requireNonNull(endpoint, "endpoint"));
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
        this.offline = offline;
        HubHttp http = new HubHttp(this.endpoint, this.token, timeout);
        this.api = new HubApi(http, retry);
        this.downloader = new BlobDownloader(http, retry);
    }

    /**
     * A client configured like huggingface_hub: {@code HF_ENDPOINT}, {@code HF_TOKEN} (or
     * {@code HF_HUB_TOKEN}, or the token file {@code $HF_HOME/token}), the cache {@code HF_HUB_CACHE},
     * else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}, and {@code HF_HUB_OFFLINE}.
     */
    public static HubClient fromEnvironment() {
        HubEnvironment env = HubEnvironment.read(System.getenv(), Path.of(System.getProperty("user.home")));
        return new HubClient(env.endpoint(), env.token(), env.cacheDir(), env.offline(), env.timeout(),
                RetryPolicy.DEFAULT);
    }

    public URI endpoint() {
        return endpoint;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * Brings a revision of a model repository into the cache.
     *
     * <p>In offline mode ({@code HF_HUB_OFFLINE}) the hub is not contacted and the cached snapshot
     * is returned. When the hub cannot be reached and the revision was pulled before, the cached
     * snapshot is returned too, as huggingface_hub does.
     *
     * @param repoId {@code "org/name"}
     * @param revision a branch, tag or commit hash; null means {@code "main"}
     * @param allowPatterns globs selecting the files to download ({@code "*.json"},
     *     {@code "*.safetensors"}, {@code "onnx/"}), matched like Python's fnmatch; null for all
     * @param listener told about each file that is downloaded; null for none
     * @return the snapshot folder {@code <cache>/models--{org}--{name}/snapshots/{commit}}
     * @throws HubException when the repository, revision or a file cannot be had
     * @throws IllegalArgumentException when {@code repoId} or {@code revision} is malformed
     */
    public Path pull(String repoId, String revision, List<String> allowPatterns, DownloadListener listener) {
        return pull(repoId, revision, files -> FilePatterns.of(allowPatterns)::matches, listener).snapshot();
    }

    /** A pulled snapshot and the repository files that were selected (all of them already in it). */
    private record Pulled(Path snapshot, List<String> selected) {}

    /**
     * Pulls the GGUF file of one quantization from a repository that ships several ({@code "Q4_K_M"} for
     * {@code Qwen3-8B-Q4_K_M.gguf}), or all parts of a split one, and nothing else: the tag must be the last
     * part of the file name, case-insensitively. A snapshot that already holds the file is used without the hub.
     *
     * @return the GGUF file (the first part of a split model)
     * @throws HubException NOT_FOUND when no file or several models answer to the tag (the message lists the tags on offer)
     */
    public Path pullGguf(String repoId, String tag, String revision, DownloadListener listener) {
        Optional<Path> cached = findCached(repoId, revision);
        if (cached.isPresent()) {
            try (var walk = Files.walk(cached.get())) {
                List<String> present = walk.filter(Files::isRegularFile)
                        .map(p -> cached.get().relativize(p).toString().replace('\\', '/')).toList();
                List<String> chosen = GgufChoice.choose(repoId, tag, present);
                return cached.get().resolve(chosen.get(0));
            } catch (HubException notThere) {
                // not pulled before: ask the hub
            } catch (IOException e) {
                throw new HubException(HubException.Reason.CACHE_IO, "Cannot read the cache at " + cached.get() + ": " + e.getMessage(), e);
            }
        }
        Pulled pulled = pull(repoId, revision, files -> {
            java.util.Set<String> chosen = new java.util.HashSet<>(GgufChoice.choose(repoId, tag, files));
            return chosen::contains;
        }, listener);
        return pulled.snapshot().resolve(GgufChoice.choose(repoId, tag, pulled.selected()).get(0));
    }

    /** The quantization {@link #pullModel} takes from a repository of GGUF files when none is named (llama.cpp's default). */
    public static final String DEFAULT_GGUF_TAG = "Q4_K_M";

    /**
     * What {@code -m org/name} needs: a model folder (config and safetensors) is pulled whole, as {@link #pull}; a
     * repository of GGUF files only (one file per quantization) gives its {@value #DEFAULT_GGUF_TAG} file rather
     * than every quantization, or fails naming the tags on offer. A cached snapshot is used without the hub.
     *
     * @return the snapshot folder, or the GGUF file
     */
    public Path pullModel(String repoId, DownloadListener listener) {
        Optional<Path> cached = findCached(repoId, null);
        if (cached.isPresent()) {
            Path snapshot = cached.get();
            if (Files.exists(snapshot.resolve("config.json"))) return snapshot;
            try {
                return pullGguf(repoId, DEFAULT_GGUF_TAG, null, listener);
            } catch (HubException e) {
                // the cache holds neither: ask the hub below
            }
        }
        Pulled pulled = pull(repoId, null, files -> {
            boolean ggufOnly = files.stream().anyMatch(f -> f.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf"))
                    && files.stream().noneMatch(f -> f.endsWith(".safetensors"));
            if (!ggufOnly) return f -> true;
            try {
                return new java.util.HashSet<>(GgufChoice.choose(repoId, DEFAULT_GGUF_TAG, files))::contains;
            } catch (HubException e) {
                throw new HubException(e.reason(), e.getMessage() + "; name one as " + repoId + ":TAG");
            }
        }, listener);
        boolean gguf = !pulled.selected().isEmpty() && pulled.selected().stream().allMatch(f -> f.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf"));
        return gguf ? pulled.snapshot().resolve(GgufChoice.choose(repoId, DEFAULT_GGUF_TAG, pulled.selected()).get(0)) : pulled.snapshot();
    }

    /**
     * The pull itself; {@code select} sees the revision's file list and returns which files to download.
     */
    private Pulled pull(String repoId, String revision, java.util.function.Function<List<String>, java.util.function.Predicate<String>> select,
                        DownloadListener listener) {
        RepoId repo = new RepoId(repoId);
        String rev = revisionOrDefault(revision);
        DownloadListener events = listener == null ? DownloadListener.silent() : listener;
        RepoCache cache = new RepoCache(cacheDir, repo);
        HubRequestContext context = new HubRequestContext(endpoint, repo, rev, null, token != null);
        if (offline) {
            Path snapshot = findCached(repoId, rev).orElseThrow(() -> new HubException(HubException.Reason.NOT_CACHED,
                    "HF_HUB_OFFLINE is set and " + repo + "@" + rev + " is not in the cache at " + cacheDir
                            + ": unset HF_HUB_OFFLINE to download it"));
            return new Pulled(snapshot, List.of());
        }
        RepoRevision remote;
        try {
            remote = api.revision(context);
        } catch (HubException e) {
            if (e.reason() == HubException.Reason.NETWORK) {
                Optional<Path> cached = findCached(repoId, rev);
                if (cached.isPresent()) return new Pulled(cached.get(), List.of());
            }
            throw e;
        }
        try {
            List<String> paths = remote.files().stream().map(RepoFile::path).toList();
            java.util.function.Predicate<String> wanted = select.apply(paths);
            Path snapshot = downloadSnapshot(context.atRevision(remote.commit()), cache, remote, wanted, events);
            if (!rev.equals(remote.commit())) {
                cache.writeRef(rev, remote.commit());
            }
            return new Pulled(snapshot, paths.stream().filter(wanted).toList());
        } catch (IOException e) {
            throw HubErrors.cacheIo(context, cacheDir, e);
        }
    }

    private Path downloadSnapshot(HubRequestContext atCommit, RepoCache cache, RepoRevision remote,
            java.util.function.Predicate<String> selected, DownloadListener events) throws IOException {
        String commit = remote.commit();
        for (RepoFile listed : remote.files()) {
            if (!selected.test(listed.path())) continue;
            Path pointer = cache.pointer(commit, listed.path());
            if (Files.exists(pointer)) continue;
            HubRequestContext fileContext = atCommit.forFile(listed.path());
            RepoFile file = listed.etag() != null ? listed : api.describe(fileContext, listed);
            Path blob = cache.blob(file.etag());
            if (!Files.exists(blob)) {
                downloader.download(fileContext, cache, file, events);
            }
            RepoCache.link(pointer, blob);
        }
        Path snapshot = cache.snapshot(commit);
        Files.createDirectories(snapshot);
        return snapshot;
    }

    /**
     * The snapshot of a revision pulled before, without contacting the hub: {@code refs/{revision}}
     * names the commit (a commit hash is used as is), and its snapshot folder must hold files that
     * all lead to existing blobs.
     */
    public Optional<Path> findCached(String repoId, String revision) {
        RepoId repo = new RepoId(repoId);
        String rev = revisionOrDefault(revision);
        RepoCache cache = new RepoCache(cacheDir, repo);
        try {
            Optional<String> commit = RepoRevision.isCommitHash(rev) ? Optional.of(rev) : cache.readRef(rev);
            return commit.isEmpty() ? Optional.empty() : cache.completeSnapshot(commit.get());
        } catch (IOException e) {
            throw new HubException(HubException.Reason.CACHE_IO,
                    "Cannot read the cache of " + repo + "@" + rev + " at " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    /** True for {@code "org/name"} when no file or folder of that name exists here. */
    public static boolean looksLikeRepoId(String s) {
        if (!RepoId.isOrgAndName(s)) return false;
        try {
            return !Files.exists(Path.of(s));
        } catch (InvalidPathException notAPath) {
            return true;
        }
    }

    private static String revisionOrDefault(String revision) {
        String rev = revision == null ? DEFAULT_REVISION : revision;
        boolean usable = !rev.isBlank() && !rev.startsWith("/") && !rev.endsWith("/") && !rev.contains("\\")
                && !rev.contains("//") && Arrays.stream(rev.split("/")).noneMatch(s -> s.equals(".") || s.equals(".."));
        if (!usable) {
            throw new IllegalArgumentException("Not a usable revision: '" + rev + "'");
        }
        return rev;
    }

    private static URI withoutTrailingSlash(URI uri) {
        String text = uri.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : uri;
    }
}
