package dev.credentials.api;

import java.time.Duration;
import java.util.Optional;

/**
 * The credential's short-lived token could not be made fresh right now, and no valid one is left: the token endpoint
 * timed out, failed or rate-limited, or another node's refresh did not finish within the caller's deadline. Nothing
 * was lost and the credential's status did not change: try again, after {@link #retryAfter()} when given.
 */
public class CredentialUnavailableException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /** The credential that could not be used. */
    private final CredentialId credentialId;
    /** How long to wait before trying again; not serialized. */
    private final transient Optional<Duration> retryAfter;

    /**
     * Creates the exception.
     *
     * @param credentialId the credential
     * @param retryAfter how long to wait before trying again, when known
     * @param message what happened, without any secret value
     */
    public CredentialUnavailableException(CredentialId credentialId, Optional<Duration> retryAfter, String message) {
        super(message);
        this.credentialId = java.util.Objects.requireNonNull(credentialId, "credentialId");
        this.retryAfter = java.util.Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /**
     * The credential.
     *
     * @return the credential
     */
    public CredentialId credentialId() {
        return credentialId;
    }

    /**
     * How long to wait before trying again, when the token endpoint said so or a refresh is known to be under way.
     *
     * @return the wait, or empty when unknown
     */
    public Optional<Duration> retryAfter() {
        return retryAfter == null ? Optional.empty() : retryAfter;
    }

    /**
     * Always true: the same call may succeed later.
     *
     * @return true
     */
    public boolean retryable() {
        return true;
    }
}
