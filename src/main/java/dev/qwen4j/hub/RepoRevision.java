package dev.qwen4j.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the hub's model-info API ({@code /api/models/{repo}/revision/{revision}?blobs=true}) says
 * about a revision: the commit it points at and the files it holds.
 */
record RepoRevision(String commit, List<RepoFile> files) {
    private static final Pattern COMMIT_HASH = Pattern.compile("[0-9a-f]{40}");

    RepoRevision {
        files = List.copyOf(files);
    }

    static boolean isCommitHash(String revision) {
        return revision != null && COMMIT_HASH.matcher(revision).matches();
    }

    /**
     * Reads a model-info reply. {@code siblings[].lfs.sha256} (LFS files) or
     * {@code siblings[].blobId} (regular files) give each file's ETag when present.
     *
     * @throws IllegalArgumentException when the reply lacks a commit hash or a file name
     */
    static RepoRevision fromModelInfo(JsonNode info) {
        String commit = info.path("sha").asText(null);
        if (!isCommitHash(commit)) {
            throw new IllegalArgumentException("model info has no 40-hex 'sha' commit, got: " + commit);
        }
        List<RepoFile> files = new ArrayList<>();
        for (JsonNode sibling : info.path("siblings")) {
            String path = sibling.path("rfilename").asText(null);
            if (path == null || path.isEmpty()) {
                throw new IllegalArgumentException("model info lists a file without 'rfilename'");
            }
            JsonNode lfs = sibling.path("lfs");
            long size;
            String etag;
            if (lfs.isObject()) {
                size = lfs.path("size").asLong(sibling.path("size").asLong(RepoFile.UNKNOWN_SIZE));
                etag = lfs.path("sha256").asText(null);
            } else {
                size = sibling.path("size").asLong(RepoFile.UNKNOWN_SIZE);
                etag = sibling.path("blobId").asText(null);
            }
            files.add(new RepoFile(path, size, etag == null ? null : new Etag(etag)));
        }
        return new RepoRevision(commit, files);
    }
}
