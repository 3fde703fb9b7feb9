package dev.qwen4j.hub;

/**
 * A download from the Hugging Face hub failed. The message names the repository (and file, where
 * one is involved) and says what to do about it; {@link #reason()} lets callers react without
 * parsing the message.
 */
public class HubException extends RuntimeException {
    /** Why the hub operation failed. */
    public enum Reason {
        /** 401: the hub wants a token, or rejected the one given. */
        AUTHENTICATION_REQUIRED,
        /** 403, or a gated repository: the token's account has no access. */
        ACCESS_DENIED,
        /** 404: the repository, revision or file does not exist (or is private). */
        NOT_FOUND,
        /** The downloaded bytes do not hash to the ETag the hub announced. */
        CHECKSUM_MISMATCH,
        /** The hub could not be reached, or the transfer broke off and retries did not help. */
        NETWORK,
        /** The hub answered with an unexpected status or a malformed reply. */
        PROTOCOL,
        /** Offline mode (HF_HUB_OFFLINE) and the revision is not in the local cache. */
        NOT_CACHED,
        /** Reading or writing the local cache failed. */
        CACHE_IO
    }

    private final Reason reason;

    public HubException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public HubException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
