package dev.credentials.testkit;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.CredentialType;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * A small credential type with one field of every kind, for tests: {@code baseUrl} (URL, TARGET, required),
 * {@code username} (text, required), {@code apiToken} (secret, required, HEADER_VALUE), {@code refreshToken} (secret,
 * INTERNAL),
 * {@code contact} (e-mail), {@code expires} (date, EXPIRY), {@code region} (choice) and {@code scopes} (multiple
 * choice). Authenticates with {@code Authorization: Bearer <apiToken>}. Its own rule: the username has no colon.
 */
public final class TestCredentialType implements CredentialType {
    /** The type id. */
    public static final String ID = "test-api-key";

    private static final List<FieldSpec> FIELDS = List.of(
            FieldSpec.config("baseUrl", "Base URL", FieldKind.URL).required().roles(FieldRole.TARGET)
                    .description("Where the API lives.").build(),
            FieldSpec.config("username", "User name", FieldKind.TEXT).required().build(),
            FieldSpec.secret("apiToken", "API token").required().roles(FieldRole.HEADER_VALUE).build(),
            FieldSpec.secret("refreshToken", "Refresh token").roles(FieldRole.INTERNAL).build(),
            FieldSpec.config("contact", "Contact e-mail", FieldKind.EMAIL).build(),
            FieldSpec.config("expires", "Expires on", FieldKind.DATE).roles(FieldRole.EXPIRY).build(),
            FieldSpec.config("region", "Region", FieldKind.CHOICE).choices("eu", "us").build(),
            FieldSpec.config("scopes", "Scopes", FieldKind.CHOICE).choices("read", "write", "admin").multiple().build());

    /** The test type. */
    public TestCredentialType() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Test API key";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    @Override
    public List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        String user = config.get("username");
        if (user != null && user.contains(":")) {
            return List.of(new FieldError("username", FieldError.Codes.INVALID, "the user name must not contain a colon"));
        }
        return List.of();
    }

    @Override
    public void authenticate(CredentialMaterial material, HttpRequest.Builder request) {
        request.setHeader("Authorization", "Bearer " + material.requireSecret("apiToken").reveal());
    }
}
