/**
 * Model-provider keys: OpenAI, Anthropic, Azure OpenAI, Gemini and OpenAI-compatible servers. The types and verifiers
 * are found by {@link java.util.ServiceLoader}, on the module path through {@code provides} and on the class path
 * through {@code META-INF/services}. The {@code internal} package is not exported.
 */
// Until credentials-api has its own module-info it is an automatic module; the suppression then does nothing.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.credentials.models {
    requires transitive dev.credentials.api;
    requires transitive dev.credentials.integration;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports dev.credentials.models;

    provides dev.credentials.api.spi.CredentialType with
            dev.credentials.models.OpenAiType,
            dev.credentials.models.AnthropicType,
            dev.credentials.models.AzureOpenAiType,
            dev.credentials.models.GeminiType,
            dev.credentials.models.OpenAiCompatibleType;
    provides dev.credentials.api.spi.Verifier with
            dev.credentials.models.OpenAiVerifier,
            dev.credentials.models.AnthropicVerifier,
            dev.credentials.models.AzureOpenAiVerifier,
            dev.credentials.models.GeminiVerifier,
            dev.credentials.models.OpenAiCompatibleVerifier;
}
