package dev.credentials.api;

/** What the library last learned about whether the third party accepts a credential. */
public enum CredentialStatus {
    /** New, or changed since it was last verified. */
    UNVERIFIED,
    /** The third party accepted it as a real, active identity. */
    VERIFIED,
    /** The third party refused it; {@link Credential#lastVerification()} says why and what to do. */
    FAILED
}
