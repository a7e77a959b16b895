package dev.credentials.core;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.spi.CredentialType;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A type with a short-lived access token the library keeps: {@code baseUrl} (TARGET), {@code clientId},
 * {@code refreshToken} (INTERNAL, required), and the MANAGED {@code accessToken} and {@code accessTokenExpiresAt} (an
 * ISO instant). Authenticates with {@code Authorization: Bearer <accessToken>}.
 */
final class RefreshableType implements CredentialType {
    static final String ID = "test-oauth";

    private static final List<FieldSpec> FIELDS = List.of(
            FieldSpec.config("baseUrl", "Base URL", FieldKind.URL).required().roles(FieldRole.TARGET).build(),
            FieldSpec.config("clientId", "Client id", FieldKind.TEXT).build(),
            FieldSpec.secret("refreshToken", "Refresh token").required().roles(FieldRole.INTERNAL).build(),
            FieldSpec.secret("accessToken", "Access token").roles(FieldRole.MANAGED, FieldRole.HEADER_VALUE).build(),
            FieldSpec.secret("accessTokenExpiresAt", "Access token expiry").roles(FieldRole.MANAGED).build());

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Test OAuth";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    @Override
    public Optional<Instant> accessTokenExpiresAt(CredentialMaterial material) {
        if (material.secret("accessToken").isEmpty()) {
            return Optional.empty();
        }
        return material.secret("accessTokenExpiresAt").map(s -> Instant.parse(s.reveal()));
    }

    @Override
    public void authenticate(CredentialMaterial material, HttpRequest.Builder request) {
        request.setHeader("Authorization", "Bearer " + material.requireSecret("accessToken").reveal());
    }
}
