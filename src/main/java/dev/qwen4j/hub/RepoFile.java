package dev.qwen4j.hub;

/**
 * One file of a repository revision as the model-info API lists it.
 *
 * @param path the file's path inside the repository ({@code rfilename}), '/'-separated
 * @param size its length in bytes, or -1 when the listing did not say
 * @param etag the name of its blob in the cache (LFS SHA-256 or git blob id), or null when the
 *     listing did not say and the download has to ask the hub
 */
record RepoFile(String path, long size, Etag etag) {
    static final long UNKNOWN_SIZE = -1;
}
