package dev.credentials.models;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.CredentialType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * A key for a server that speaks OpenAI's API (vLLM, Ollama, LiteLLM, LM Studio, OpenRouter, ...). The base URL is
 * customer input: every request to it passes the platform's URL policy, so loopback and private hosts are reached
 * only where the operator allows them. The base URL includes the version prefix, such as
 * {@code https://llm.example.com/v1}.
 */
public final class OpenAiCompatibleType implements CredentialType {
    /** The type id. */
    public static final String ID = "openai-compatible-api-key";

    private static final List<FieldSpec> FIELDS = List.of(
            FieldSpec.config("baseUrl", "Base URL", FieldKind.URL).required().roles(FieldRole.TARGET)
                    .description("The API's base URL including its version prefix, such as https://llm.example.com/v1.")
                    .build(),
            FieldSpec.secret("apiKey", "API key").required().roles(FieldRole.HEADER_VALUE).build());

    /** Creates the type; {@link java.util.ServiceLoader} uses this constructor. */
    public OpenAiCompatibleType() {
        // stateless
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "OpenAI-compatible server key";
    }

    @Override
    public List<FieldSpec> fields() {
        return FIELDS;
    }

    @Override
    public List<FieldError> validate(Map<String, String> config, Map<String, Secret> secrets) {
        String base = config.get("baseUrl");
        if (base != null && URI.create(base).getRawQuery() != null) {
            return List.of(new FieldError("baseUrl", FieldError.Codes.INVALID_URL, "the base URL must not have a query"));
        }
        return List.of();
    }

    @Override
    public void authenticate(CredentialMaterial m, HttpRequest.Builder request) {
        request.setHeader("Authorization", "Bearer " + m.requireSecret("apiKey").reveal());
    }

    /** {@code base + "/models"}, keeping the base's path. */
    static URI models(String baseUrl) {
        String b = baseUrl;
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return URI.create(b + "/models");
    }
}
