package dev.credentials.models;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.spi.CredentialType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An OpenAI API key, with optional organization and project ids. Sent only to {@code https://api.openai.com}. */
public final class OpenAiType implements CredentialType {
    /** The type id. */
    public static final String ID = "openai-api-key";
    static final URI HOST = URI.create("https://api.openai.com");

    private static final List<FieldSpec> FIELDS = List.of(
            FieldSpec.secret("apiKey", "API key").required().roles(FieldRole.HEADER_VALUE)
                    .description("A project or user key from platform.openai.com, API keys.").build(),
            FieldSpec.config("organization", "Organization id", FieldKind.TEXT)
                    .description("Only for keys that belong to several organizations (org-...).").build(),
            FieldSpec.config("project", "Project id", FieldKind.TEXT)
                    .description("Only for legacy user keys (proj_...).").build());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public OpenAiType() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "OpenAI API key";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    @Override
    public Set<URI> allowedTargets(Map<String, String> config) {
        return Set.of(HOST);
    }

    @Override
    public void authenticate(CredentialMaterial m, HttpRequest.Builder request) {
        request.setHeader("Authorization", "Bearer " + m.requireSecret("apiKey").reveal());
        m.config("organization").ifPresent(o -> request.setHeader("OpenAI-Organization", o));
        m.config("project").ifPresent(p -> request.setHeader("OpenAI-Project", p));
    }
}
