package dev.credentials.oauth2;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.integration.Endpoints;
import dev.credentials.integration.TokenResponse;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies an {@link OAuth2ClientCredentialsType} credential. With an identity URL configured, it asks that endpoint
 * about the access token the manager holds. Without one, it asks the token endpoint for a new token with the client
 * id and secret (nothing is stored: a client-credentials token can always be obtained again), and obtaining a token
 * is the proof, which the result says. Stateless and thread-safe.
 */
public final class OAuth2ClientCredentialsVerifier implements Verifier {
    private final Endpoints endpoints;

    /** Calls the configured URLs directly; used by {@link java.util.ServiceLoader}. */
    public OAuth2ClientCredentialsVerifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints}.
     *
     * @param endpoints where the requests actually go ({@link Endpoints#via(java.net.URI)} for a stub)
     */
    public OAuth2ClientCredentialsVerifier(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public String typeId() {
        return OAuth2ClientCredentialsType.ID;
    }

    @Override
    public VerificationResult verify(VerificationContext ctx, CredentialMaterial material) {
        if (material.config(Common.IDENTITY_URL).isPresent()) {
            return Common.identity(ctx, endpoints, material,
                    "the client's access was revoked. Check the app's registration and enter a new client secret.");
        }
        try (TokenResponse answer = OAuth2ClientCredentialsRefresher.obtain(ctx, material, endpoints)) {
            Optional<VerificationResult> failure = answer.failure();
            if (failure.isPresent()) {
                return failure.get();
            }
            String host = material.config(Common.TOKEN_URL).map(u -> java.net.URI.create(u).getHost()).orElse("?");
            return VerificationResult.verified("The token endpoint at " + host + " issued an access token for this"
                    + " client id and secret. No identity URL is configured, so obtaining a token is the proof.");
        } catch (IllegalArgumentException e) {
            return VerificationResult.failed(FailureReason.MISCONFIGURED, Common.misconfigured());
        }
    }
}
