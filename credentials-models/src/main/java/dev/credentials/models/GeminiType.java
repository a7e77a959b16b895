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

/**
 * A Google Gemini API key, sent in the {@code x-goog-api-key} header (never in the URL, where logs and proxies would
 * keep it) only to {@code https://generativelanguage.googleapis.com}.
 */
public final class GeminiType implements CredentialType {
    /** The type id. */
    public static final String ID = "gemini-api-key";
    static final URI HOST = URI.create("https://generativelanguage.googleapis.com");

    private static final List<FieldSpec> FIELDS = List.of(FieldSpec.secret("apiKey", "API key").required().roles(FieldRole.HEADER_VALUE)
            .description("A key from Google AI Studio, Get API key; restrict it to the Generative Language API.").build());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public GeminiType() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Google Gemini API key";
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
        request.setHeader("x-goog-api-key", m.requireSecret("apiKey").reveal());
    }
}
