package dev.credentials.models;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.spi.CredentialType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An Anthropic API key, sent as {@code x-api-key} only to {@code https://api.anthropic.com}. */
public final class AnthropicType implements CredentialType {
    /** The type id. */
    public static final String ID = "anthropic-api-key";
    /** The API version header every request carries. */
    public static final String API_VERSION = "2023-06-01";
    static final URI HOST = URI.create("https://api.anthropic.com");

    private static final List<FieldSpec> FIELDS = List.of(FieldSpec.secret("apiKey", "API key").required().roles(FieldRole.HEADER_VALUE)
            .description("A key from console.anthropic.com, Settings, API keys (sk-ant-api03-...).").build());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public AnthropicType() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Anthropic API key";
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
        request.setHeader("x-api-key", m.requireSecret("apiKey").reveal());
        request.setHeader("anthropic-version", API_VERSION);
    }
}
