package dev.credentials.oauth2;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.integration.Endpoints;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies an {@link OAuth2Type} credential with the access token the manager holds (it refreshes before
 * {@code verify} when the stored token is missing or about to expire; this verifier never refreshes or stores).
 * With an identity URL configured, it asks that endpoint who the token belongs to. Without one, the proof is that the
 * token endpoint issued the unexpired access token the credential holds, and the result says exactly that. Stateless
 * and thread-safe.
 */
public final class OAuth2Verifier implements Verifier {
    private final Endpoints endpoints;

    /** Calls the configured URLs directly; used by {@link java.util.ServiceLoader}. */
    public OAuth2Verifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints}.
     *
     * @param endpoints where the requests actually go ({@link Endpoints#via(java.net.URI)} for a stub)
     */
    public OAuth2Verifier(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public String typeId() {
        return OAuth2Type.ID;
    }

    @Override
    public VerificationResult verify(VerificationContext ctx, CredentialMaterial material) {
        if (material.config(Common.IDENTITY_URL).isPresent()) {
            return Common.identity(ctx, endpoints, material,
                    "the user revoked the app's access or the grant was withdrawn. Connect the account again.");
        }
        Optional<Secret> token = material.secret(Common.ACCESS_TOKEN);
        Optional<Instant> expiresAt = Common.accessTokenExpiresAt(material);
        if (token.isEmpty() || expiresAt.isEmpty() || !expiresAt.get().isAfter(ctx.clock().instant())) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "This credential holds no unexpired"
                    + " access token, so nothing was checked; the manager obtains one with the refresh token before"
                    + " verifying.");
        }
        String host = material.config(Common.TOKEN_URL).map(u -> {
            try {
                return URI.create(u).getHost();
            } catch (IllegalArgumentException e) {
                return null;
            }
        }).orElse("the token endpoint");
        return VerificationResult.verified("The token endpoint at " + host + " issued the access token this"
                + " credential holds (valid until " + expiresAt.get() + "). No identity URL is configured, so that is"
                + " the only proof: the account it belongs to was not checked.");
    }
}
