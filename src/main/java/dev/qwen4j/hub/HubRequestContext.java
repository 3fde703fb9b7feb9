package dev.qwen4j.hub;

import java.net.URI;

/**
 * What a hub request was about, so failures can name it: the repository, the revision, and the
 * file when the request was for one.
 */
record HubRequestContext(URI endpoint, RepoId repo, String revision, String file, boolean hasToken) {
    HubRequestContext forFile(String path) {
        return new HubRequestContext(endpoint, repo, revision, path, hasToken);
    }

    HubRequestContext atRevision(String commit) {
        return new HubRequestContext(endpoint, repo, commit, file, hasToken);
    }

    /** {@code "file 'x' of org/name@rev"} or {@code "org/name@rev"}. */
    String describe() {
        String at = repo + "@" + revision;
        return file == null ? at : "file '" + file + "' of " + at;
    }

    String repoPage() {
        String base = endpoint.toString();
        return (base.endsWith("/") ? base : base + "/") + repo;
    }
}
