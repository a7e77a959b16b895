package dev.credentials.models;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credentials.api.FieldError;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestKeys;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every secret this module sends raw in a header is marked {@link FieldRole#HEADER_VALUE}, so a key pasted with a
 * character a header cannot carry is refused when entered, naming the field, instead of failing at every use.
 */
class HeaderSafeKeysTest {
    private static final Map<String, String> RAW_HEADER_SECRETS = Map.of(OpenAiType.ID, "apiKey",
            AnthropicType.ID, "apiKey", AzureOpenAiType.ID, "apiKey",
            GeminiType.ID, "apiKey", OpenAiCompatibleType.ID, "apiKey");

    @Test
    void aKeyAHeaderCannotCarryIsRefusedWhenEntered() {
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).build()) {
            Subject alice = Subject.user(TenantId.of("acme"), "alice");
            for (Map.Entry<String, String> e : RAW_HEADER_SECRETS.entrySet()) {
                CredentialType type = manager.type(e.getKey()).orElseThrow();
                FieldSpec field = type.fields().stream().filter(f -> f.name().equals(e.getValue())).findFirst()
                        .orElseThrow();
                assertTrue(field.has(FieldRole.HEADER_VALUE), e.getKey() + "." + e.getValue() + " is sent raw");
                ValidationException refused = assertThrows(ValidationException.class, () -> manager.create(alice,
                        NewCredential.builder(e.getKey()).name("pasted")
                                .secret(e.getValue(), Secret.of("tok-caf\u00e9-4f1c9e07d2a84b6b")).build()));
                List<FieldError> errors = refused.errors();
                assertTrue(errors.contains(new FieldError(e.getValue(), FieldError.Codes.NOT_HEADER_SAFE,
                        errors.stream().filter(x -> x.field().equals(e.getValue())).map(FieldError::message)
                                .findFirst().orElse(""))), e.getKey() + ": " + errors);
                assertFalse(refused.getMessage().contains("caf\u00e9"), "the value is never echoed");
            }
        }
    }
}
