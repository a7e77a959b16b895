package dev.credentials.api;

/** What a field means to the library beyond its value. */
public enum FieldRole {
    /**
     * Decides where secrets are sent (a site URL, a resource name, a cloud id). Changing it requires entering every
     * secret again, and {@link dev.credentials.api.spi.CredentialType#allowedTargets} reads it.
     */
    TARGET,
    /** The date the credential stops working, entered by an administrator. */
    EXPIRY,
    /** A secret given to verifiers but never returned by {@code resolve} (an OAuth client secret, a refresh token). */
    INTERNAL,
    /**
     * The value is sent as is in an HTTP header (a bearer token, an API-key header), so it may hold only printable
     * ASCII, U+0020 to U+007E; anything else is refused on create and update with
     * {@link FieldError.Codes#NOT_HEADER_SAFE}.
     */
    HEADER_VALUE,
    /**
     * Kept by the library, never typed in: a refreshed access token and its expiry. Forms leave it out, and
     * {@code create} and {@code update} refuse a value for it with {@link FieldError.Codes#NOT_ALLOWED}; only the
     * manager's token refresh writes it.
     */
    MANAGED
}
