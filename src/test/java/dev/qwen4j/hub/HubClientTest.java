package dev.qwen4j.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qwen4j.hub.FakeHub.FakeFile;
import dev.qwen4j.hub.FakeHub.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HubClientTest {
    private static final String REPO = FakeHub.REPO;
    private static final String COMMIT = FakeHub.COMMIT;
    private static final String MODEL = "model.safetensors";
    private static final RetryPolicy FAST_RETRIES = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));

    @TempDir
    Path cache;

    private FakeHub hub;

    @AfterEach
    void stopHub() {
        if (hub != null) hub.close();
    }

    private HubClient client(String token) {
        return new HubClient(hub.endpoint(), token, cache, false, Duration.ofSeconds(5), FAST_RETRIES);
    }

    private Path repoDir() {
        return cache.resolve("models--qwen4j-test--tiny-qwen3");
    }

    private Path blob(String path) {
        return repoDir().resolve("blobs").resolve(hub.file(path).etag());
    }

    @Test
    void pullBuildsTheHuggingFaceCacheLayout() throws IOException {
        hub = FakeHub.serveTinyQwen3(FakeFile.regular("nested/dir/config.json", FakeHub.fixture("config.json")));

        Path snapshot = client(null).pull(REPO, null, null, DownloadListener.silent());

        assertThat(snapshot).isEqualTo(repoDir().resolve("snapshots").resolve(COMMIT));
        Set<String> expected = new TreeSet<>();
        expected.add("refs/main");
        for (FakeFile file : hub.files()) {
            expected.add("blobs/" + file.etag());
            expected.add("snapshots/" + COMMIT + "/" + file.path());
        }
        assertThat(filesUnder(repoDir())).containsExactlyElementsOf(expected);
        assertThat(Files.readString(repoDir().resolve("refs/main"))).isEqualTo(COMMIT);
        for (FakeFile file : hub.files()) {
            Path pointer = snapshot.resolve(file.path());
            int depth = file.path().split("/").length + 1;
            String up = "../".repeat(depth);
            assertThat(Files.isSymbolicLink(pointer)).as(file.path()).isTrue();
            assertThat(Files.readSymbolicLink(pointer)).isEqualTo(Path.of(up + "blobs/" + file.etag()));
            assertThat(Files.readAllBytes(pointer)).as(file.path()).isEqualTo(file.content());
        }
        // Same content, one blob: the nested copy of config.json is linked, never downloaded.
        assertThat(hub.downloads()).extracting(Request::path).noneMatch(p -> p.contains("nested"));
        assertThat(hub.downloads()).filteredOn(r -> r.server().equals("cdn")).hasSize(2);
    }

    @Test
    void secondPullDownloadsNothing() {
        hub = FakeHub.serveTinyQwen3();
        HubClient client = client(null);
        Path first = client.pull(REPO, "main", null, null);
        hub.clearRequests();

        RecordingListener listener = new RecordingListener();
        Path second = client.pull(REPO, "main", null, listener);

        assertThat(second).isEqualTo(first);
        assertThat(hub.requests()).extracting(Request::path)
                .containsExactly("/api/models/" + REPO + "/revision/main");
        assertThat(listener.started).isEmpty();
    }

    @Test
    void blobsAlreadyInTheCacheAreLinkedNotDownloaded() throws IOException {
        hub = FakeHub.serveTinyQwen3();
        HubClient client = client(null);
        client.pull(REPO, null, null, null);
        Path snapshot = repoDir().resolve("snapshots").resolve(COMMIT);
        Files.delete(snapshot.resolve(MODEL));
        hub.clearRequests();

        client.pull(REPO, null, null, null);

        assertThat(hub.downloads()).isEmpty();
        assertThat(Files.readAllBytes(snapshot.resolve(MODEL))).isEqualTo(hub.file(MODEL).content());
    }

    @Test
    void allowPatternsSelectTheFilesToDownload() {
        hub = FakeHub.serveTinyQwen3();
        HubClient client = client(null);

        Path snapshot = client.pull(REPO, null, List.of("*.json"), null);

        assertThat(filesUnder(snapshot)).containsExactly(
                "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json");
        assertThat(hub.downloads()).extracting(Request::path).noneMatch(p -> p.endsWith(MODEL)
                || p.endsWith(hub.file(MODEL).etag()));

        client.pull(REPO, null, List.of("*.safetensors"), null);
        assertThat(filesUnder(snapshot)).contains(MODEL).hasSize(5);
    }

    @Test
    void aGgufTagPullsThatQuantizationOnly() throws IOException {
        byte[] q4 = "GGUF q4".getBytes(java.nio.charset.StandardCharsets.UTF_8), q8a = "GGUF q8 1".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] q8b = "GGUF q8 2".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        hub = FakeHub.serveTinyQwen3(FakeFile.regular("Tiny-Q4_K_M.gguf", q4),
                FakeFile.regular("Q8_0/Tiny-Q8_0-00001-of-00002.gguf", q8a), FakeFile.regular("Q8_0/Tiny-Q8_0-00002-of-00002.gguf", q8b));
        HubClient client = client(null);

        Path gguf = client.pullGguf(REPO, "q8_0", null, null);

        Path snapshot = repoDir().resolve("snapshots").resolve(COMMIT);
        assertThat(gguf).isEqualTo(snapshot.resolve("Q8_0/Tiny-Q8_0-00001-of-00002.gguf"));
        assertThat(filesUnder(snapshot)).containsExactly("Q8_0/Tiny-Q8_0-00001-of-00002.gguf", "Q8_0/Tiny-Q8_0-00002-of-00002.gguf");
        assertThat(Files.readAllBytes(gguf)).isEqualTo(q8a);
        hub.clearRequests();
        assertThat(client.pullGguf(REPO, "Q8_0", null, null)).isEqualTo(gguf);
        assertThat(hub.requests()).as("found in the cache").isEmpty();

        assertThat(client.pullGguf(REPO, "Q4_K_M", null, null)).isEqualTo(snapshot.resolve("Tiny-Q4_K_M.gguf"));
        assertThatThrownBy(() -> client.pullGguf(REPO, "Q5_0", null, null)).isInstanceOf(HubException.class)
                .hasMessageContaining("no GGUF file for 'Q5_0'").hasMessageContaining("Q4_K_M, Q8_0");
        assertThat(filesUnder(snapshot)).hasSize(3); // nothing else was downloaded
    }

    @Test
    void aRepoOfGgufFilesGivesItsQ4KMAndAFolderModelComesWhole() {
        byte[] q4 = "GGUF q4".getBytes(java.nio.charset.StandardCharsets.UTF_8), q8 = "GGUF q8".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        hub = FakeHub.serve(FakeFile.regular("README.md", "# tiny".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                FakeFile.regular("Tiny-Q4_K_M.gguf", q4), FakeFile.regular("Tiny-Q8_0.gguf", q8));
        HubClient client = client(null);
        Path snapshot = repoDir().resolve("snapshots").resolve(COMMIT);

        assertThat(client.pullModel(REPO, null)).isEqualTo(snapshot.resolve("Tiny-Q4_K_M.gguf"));
        assertThat(filesUnder(snapshot)).containsExactly("Tiny-Q4_K_M.gguf"); // not every quantization
        hub.clearRequests();
        assertThat(client.pullModel(REPO, null)).isEqualTo(snapshot.resolve("Tiny-Q4_K_M.gguf"));
        assertThat(hub.requests()).as("from the cache").isEmpty();
        hub.close();

        hub = FakeHub.serve(FakeFile.regular("Tiny-Q8_0.gguf", q8));
        HubClient other = new HubClient(hub.endpoint(), null, cache.resolve("other"), false, Duration.ofSeconds(5), FAST_RETRIES);
        assertThatThrownBy(() -> other.pullModel(REPO, null)).isInstanceOf(HubException.class)
                .hasMessageContaining("no GGUF file for 'Q4_K_M'").hasMessageContaining("Q8_0").hasMessageContaining(REPO + ":TAG");
        hub.close();

        hub = FakeHub.serveTinyQwen3(FakeFile.regular("extra-Q4_K_M.gguf", q4));
        HubClient third = new HubClient(hub.endpoint(), null, cache.resolve("third"), false, Duration.ofSeconds(5), FAST_RETRIES);
        Path folder = third.pullModel(REPO, null);
        assertThat(folder.resolve("config.json")).exists(); // config and safetensors: the whole repository, as pull
        assertThat(folder.resolve("extra-Q4_K_M.gguf")).exists();
    }

    @Test
    void droppedConnectionIsResumedWithinThePull() {
        hub = FakeHub.serveTinyQwen3();
        hub.dropConnection(MODEL, 1_000_000, 1);
        RecordingListener listener = new RecordingListener();

        Path snapshot = client(null).pull(REPO, null, List.of(MODEL), listener);

        List<Request> cdn = hub.downloads().stream().filter(r -> r.server().equals("cdn")).toList();
        assertThat(cdn).hasSize(2);
        assertThat(cdn.get(0).range()).isNull();
        long resumedAt = rangeStart(cdn.get(1).range());
        assertThat(resumedAt).isBetween(1L, 1_000_000L);
        assertThat(readBytes(snapshot.resolve(MODEL))).isEqualTo(hub.file(MODEL).content());
        long size = hub.file(MODEL).content().length;
        assertThat(listener.sizes).containsEntry(MODEL, size);
        assertThat(listener.bytes).containsEntry(MODEL, size);
        assertThat(listener.done).containsExactly(MODEL);
        assertThat(listener.failed).isEmpty();
    }

    @Test
    void partialDownloadOfAnEarlierRunIsResumedWithRange() throws IOException {
        hub = FakeHub.serveTinyQwen3();
        byte[] content = hub.file(MODEL).content();
        Path incomplete = writeIncomplete(MODEL, Arrays.copyOf(content, 5_000_000));
        RecordingListener listener = new RecordingListener();

        Path snapshot = client(null).pull(REPO, null, List.of(MODEL), listener);

        List<Request> cdn = hub.downloads().stream().filter(r -> r.server().equals("cdn")).toList();
        assertThat(cdn).extracting(Request::range).containsExactly("bytes=5000000-");
        assertThat(readBytes(snapshot.resolve(MODEL))).isEqualTo(content);
        assertThat(incomplete).doesNotExist();
        assertThat(listener.bytes).containsEntry(MODEL, (long) content.length);
    }

    @Test
    void serverIgnoringRangeRestartsTheDownload() throws IOException {
        hub = FakeHub.serveTinyQwen3();
        hub.ignoreRange();
        byte[] garbage = new byte[4096];
        Arrays.fill(garbage, (byte) 7);
        writeIncomplete(MODEL, garbage);
        RecordingListener listener = new RecordingListener();

        Path snapshot = client(null).pull(REPO, null, List.of(MODEL), listener);

        assertThat(hub.downloads()).filteredOn(r -> r.server().equals("cdn")).extracting(Request::range)
                .containsExactly("bytes=4096-");
        assertThat(readBytes(snapshot.resolve(MODEL))).isEqualTo(hub.file(MODEL).content());
        assertThat(listener.bytes).containsEntry(MODEL, (long) hub.file(MODEL).content().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {MODEL, "config.json"})
    void checksumMismatchFailsAndLeavesNoCorruptBlob(String path) throws IOException {
        hub = FakeHub.serveTinyQwen3();
        hub.corrupt(path);
        RecordingListener listener = new RecordingListener();
        HubClient client = client(null);

        assertThatThrownBy(() -> client.pull(REPO, null, List.of(path), listener))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HubException.Reason.CHECKSUM_MISMATCH);
                    assertThat(e.getMessage()).contains(path, REPO, hub.file(path).etag());
                });

        assertThat(filesUnder(repoDir().resolve("blobs"))).isEmpty();
        assertThat(repoDir().resolve("snapshots").resolve(COMMIT).resolve(path)).doesNotExist();
        assertThat(repoDir().resolve("refs/main")).doesNotExist();
        assertThat(listener.failed).containsExactly(path);
        assertThat(client.findCached(REPO, null)).isEmpty();
    }

    @Test
    void missingTokenFailsWithAdviceToSetHfToken() {
        hub = FakeHub.serveTinyQwen3();
        hub.requireToken("hf_secret");

        assertThatThrownBy(() -> client(null).pull(REPO, null, null, null))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HubException.Reason.AUTHENTICATION_REQUIRED);
                    assertThat(e.getMessage()).contains("HF_TOKEN", REPO, "401");
                });
        assertThatThrownBy(() -> client("hf_wrong").pull(REPO, null, null, null))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.getMessage()).contains("rejected"));
    }

    @Test
    void gatedRepositoryExplainsHowToGetAccess() {
        hub = FakeHub.serveTinyQwen3();
        hub.requireToken("hf_granted");
        hub.gate();

        for (String token : new String[] {null, "hf_not_granted"}) {
            assertThatThrownBy(() -> client(token).pull(REPO, null, null, null))
                    .isInstanceOfSatisfying(HubException.class, e -> {
                        assertThat(e.reason()).isEqualTo(HubException.Reason.ACCESS_DENIED);
                        assertThat(e.getMessage()).contains("gated", "HF_TOKEN", hub.endpoint() + "/" + REPO);
                    });
        }
    }

    @Test
    void temporaryServerErrorsAreRetried() {
        hub = FakeHub.serveTinyQwen3();
        HubClient client = client(null);
        hub.failModelInfo(503, FAST_RETRIES.maxAttempts());
        assertThatThrownBy(() -> client.pull(REPO, null, null, null))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HubException.Reason.NETWORK);
                    assertThat(e.getMessage()).contains("503", REPO);
                });

        hub.failModelInfo(503, FAST_RETRIES.maxAttempts() - 1);
        Path snapshot = client.pull(REPO, null, List.of("config.json"), null);
        assertThat(snapshot.resolve("config.json")).exists();

        hub.failModelInfo(503, FAST_RETRIES.maxAttempts());
        assertThat(client.pull(REPO, null, null, null)).as("falls back on the cached snapshot").isEqualTo(snapshot);
    }

    @Test
    void filesWhosePathLeavesTheSnapshotAreRefused() {
        hub = FakeHub.serveTinyQwen3(FakeFile.regular("../../escaped.json", FakeHub.fixture("config.json")));

        assertThatThrownBy(() -> client(null).pull(REPO, null, null, null))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HubException.Reason.PROTOCOL);
                    assertThat(e.getMessage()).contains("../../escaped.json");
                });
        assertThat(repoDir().resolve("escaped.json")).doesNotExist();
        assertThat(repoDir().resolve("snapshots/escaped.json")).doesNotExist();
    }

    @Test
    void tokenIsSentToTheHubButNotToTheCdn() {
        hub = FakeHub.serveTinyQwen3();
        hub.requireToken("hf_secret");

        Path snapshot = client("hf_secret").pull(REPO, null, null, null);

        assertThat(readBytes(snapshot.resolve(MODEL))).isEqualTo(hub.file(MODEL).content());
        assertThat(hub.requests()).filteredOn(r -> r.server().equals("hub")).extracting(Request::authorization)
                .containsOnly("Bearer hf_secret");
        assertThat(hub.requests()).filteredOn(r -> r.server().equals("cdn")).hasSize(2)
                .extracting(Request::authorization).containsOnlyNulls();
    }

    @Test
    void unknownRepositoryAndRevisionAreNotFound() {
        hub = FakeHub.serveTinyQwen3();
        HubClient client = client(null);

        assertThatThrownBy(() -> client.pull("qwen4j-test/no-such-model", null, null, null))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HubException.Reason.NOT_FOUND);
                    assertThat(e.getMessage()).contains("qwen4j-test/no-such-model", "not found");
                });
        assertThatThrownBy(() -> client.pull(REPO, "v9.9", null, null))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HubException.Reason.NOT_FOUND);
                    assertThat(e.getMessage()).contains("v9.9", REPO);
                });
        assertThat(cache.resolve("models--qwen4j-test--no-such-model")).doesNotExist();
    }

    @Test
    void findCachedWorksWithoutTheHub() throws IOException {
        hub = FakeHub.serveTinyQwen3();
        HubClient client = client(null);
        assertThat(client.findCached(REPO, null)).isEmpty();
        Path snapshot = client.pull(REPO, null, null, null);
        hub.stop();

        assertThat(client.findCached(REPO, null)).contains(snapshot);
        assertThat(client.findCached(REPO, "main")).contains(snapshot);
        assertThat(client.findCached(REPO, COMMIT)).contains(snapshot);
        assertThat(client.findCached(REPO, "dev")).isEmpty();
        assertThat(client.findCached("qwen4j-test/other", null)).isEmpty();
        // Unreachable hub: the pull falls back to the cached snapshot, as huggingface_hub does.
        assertThat(client.pull(REPO, null, null, null)).isEqualTo(snapshot);
        // HF_HUB_OFFLINE: never contacts the hub.
        HubClient offline = new HubClient(hub.endpoint(), null, cache, true, Duration.ofSeconds(5), FAST_RETRIES);
        assertThat(offline.pull(REPO, null, null, null)).isEqualTo(snapshot);
        assertThatThrownBy(() -> offline.pull("qwen4j-test/other", null, null, null))
                .isInstanceOfSatisfying(HubException.class,
                        e -> assertThat(e.reason()).isEqualTo(HubException.Reason.NOT_CACHED));

        Files.delete(blob(MODEL));
        assertThat(client.findCached(REPO, null)).as("a snapshot with a missing blob is incomplete").isEmpty();
    }

    @Test
    void unreachableHubWithoutCacheIsANetworkError() {
        hub = FakeHub.serveTinyQwen3();
        hub.stop();

        assertThatThrownBy(() -> client(null).pull(REPO, null, null, null))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.reason()).isEqualTo(HubException.Reason.NETWORK);
                    assertThat(e.getMessage()).contains(REPO, hub.endpoint().toString());
                });
    }

    @Test
    void listingWithoutBlobIdsAsksTheHubForEachFilesEtag() throws IOException {
        hub = FakeHub.serveTinyQwen3();
        hub.omitBlobInfo();
        RecordingListener listener = new RecordingListener();

        Path snapshot = client(null).pull(REPO, null, null, listener);

        assertThat(hub.requests()).filteredOn(r -> r.method().equals("HEAD")).hasSize(hub.files().size());
        for (FakeFile file : hub.files()) {
            assertThat(Files.readSymbolicLink(snapshot.resolve(file.path())))
                    .isEqualTo(Path.of("../../blobs/" + file.etag()));
            assertThat(readBytes(snapshot.resolve(file.path()))).isEqualTo(file.content());
            assertThat(listener.sizes).containsEntry(file.path(), (long) file.content().length);
        }
    }

    @Test
    void looksLikeRepoIdAcceptsOrgSlashNameThatIsNoLocalPath() {
        assertThat(HubClient.looksLikeRepoId("Qwen/Qwen3-0.6B")).isTrue();
        assertThat(HubClient.looksLikeRepoId("qwen4j-test/tiny_qwen3.v2")).isTrue();
        assertThat(HubClient.looksLikeRepoId("gpt2")).isFalse();
        assertThat(HubClient.looksLikeRepoId("a/b/c")).isFalse();
        assertThat(HubClient.looksLikeRepoId("/abs/path")).isFalse();
        assertThat(HubClient.looksLikeRepoId("org/na--me")).isFalse();
        assertThat(HubClient.looksLikeRepoId("org/-name")).isFalse();
        assertThat(HubClient.looksLikeRepoId("org/name.git")).isFalse();
        assertThat(HubClient.looksLikeRepoId("src/main")).as("an existing folder").isFalse();
        assertThat(HubClient.looksLikeRepoId(null)).isFalse();
    }

    private Path writeIncomplete(String path, byte[] prefix) throws IOException {
        Path incomplete = repoDir().resolve("blobs").resolve(hub.file(path).etag() + ".incomplete");
        Files.createDirectories(incomplete.getParent());
        Files.write(incomplete, prefix);
        return incomplete;
    }

    private static long rangeStart(String range) {
        assertThat(range).matches("bytes=\\d+-");
        return Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
    }

    private static byte[] readBytes(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Files (and symlinks) under {@code root}, relative, '/'-separated, sorted; none when absent. */
    private static List<String> filesUnder(Path root) {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
