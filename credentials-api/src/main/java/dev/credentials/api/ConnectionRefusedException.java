package dev.credentials.api;

import java.util.Objects;

/**
 * A connection callback (or site choice) the manager refused; nothing was stored. {@link #reason()} says why, for a
 * program; the message says it for a person.
 */
public class ConnectionRefusedException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /** Why a callback was refused. */
    public enum Reason {
        /** The state is not one this manager issued, or it was altered. */
        TAMPERED,
        /** The state is well formed but unknown (never issued, or purged long after it expired). */
        UNKNOWN,
        /** The state expired before the callback arrived. */
        EXPIRED,
        /** The state was already used: each one completes at most once. */
        REUSED,
        /** Another user started this connection. */
        OTHER_USER,
        /** The connection was started in another tenant. */
        OTHER_TENANT,
        /** The callback came to another redirect URI than the one the connection was started with. */
        REDIRECT_MISMATCH,
        /** The provider refused the authorization code (spent, expired, or not for this app). */
        CODE_REFUSED,
        /** The callback lacks a parameter it needs, or has a malformed one. */
        MALFORMED,
        /** A reconnect brought back another account than the connection's. */
        OTHER_ACCOUNT,
        /** The provider could not be reached or failed; start again later. */
        PROVIDER_UNAVAILABLE
    }

    /** Why the callback was refused. */
    private final Reason reason;

    /**
     * A refusal.
     *
     * @param reason why
     * @param message what happened and what to do, without any secret
     */
    public ConnectionRefusedException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Why the callback was refused.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }
}
