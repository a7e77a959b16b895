package dev.credentials.api;

/**
 * What a share grants. The two are separate rights, not levels: {@link #MANAGE} does not include {@link #USE}.
 */
public enum Access {
    /** See metadata and redacted configuration, verify, resolve and authenticate. */
    USE,
    /** See metadata and redacted configuration, verify, update, share, unshare and delete; not resolve. */
    MANAGE
}
