package dev.credentials.api.spi;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;

/**
 * Asks the third party whether a credential of one type is accepted, as an identity check rather than "any 2xx".
 *
 * <p>Found through {@link java.util.ServiceLoader} or registered explicitly. The manager calls {@link #verify} on its
 * executor, one call per credential at a time, possibly many credentials at once: implementations must be
 * thread-safe. A verifier must tell a rejected credential (FAILED) from a network blip, a 5xx or a rate limit
 * (INCONCLUSIVE), must not follow redirects with a secret, and must never put a body, a header value or a secret into
 * a message. An exception thrown from {@code verify} is recorded as INCONCLUSIVE.
 */
public interface Verifier {
    /** The id of the {@link CredentialType} this verifier checks. */
    String typeId();

    /**
     * Verifies {@code material}. Do not close the material; the manager does. Return before
     * {@link VerificationContext#deadline()}; the manager stops waiting then and interrupts the thread.
     */
    VerificationResult verify(VerificationContext context, CredentialMaterial material);
}
