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
    /**
     * The id of the {@link CredentialType} this verifier checks.
     *
     * @return the id of the {@link CredentialType} this verifier checks
     */
    String typeId();

    /**
     * Verifies {@code material}. Do not close the material; the manager does. Return before
     * {@link VerificationContext#deadline()}; the manager stops waiting then and interrupts the thread.
     *
     * @param context the verification's context
     * @param material the credential's values
     * @return the outcome, never null; a network problem is INCONCLUSIVE, never FAILED
     */
    VerificationResult verify(VerificationContext context, CredentialMaterial material);

    /**
     * Declares that this verifier's identity call cannot tell identities apart on its own (the third party may
     * accept any key), so the manager must run a {@link NegativeControl}: after a VERIFIED result it verifies again with
     * the named secrets deliberately altered, and VERIFIED stands only if that is refused. Called by the manager on
     * its executor for each verification; must be cheap and return the same answer every time. Empty (the default)
     * when the identity call itself proves an identity (it names an account, or refuses a wrong key by design).
     *
     * @return the control to run after a VERIFIED result, or empty when none is needed
     */
    default java.util.Optional<NegativeControl> negativeControl() {
        return java.util.Optional.empty();
    }
}
