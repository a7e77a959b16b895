package dev.credentials.atlassian;

import dev.credentials.core.CredentialManager;
import dev.credentials.testkit.HeaderValueFields;
import dev.credentials.testkit.InMemoryCredentialStore;
import dev.credentials.testkit.TestKeys;
import org.junit.jupiter.api.Test;

/** Every secret this module sends raw in a header is refused when entered with a character a header cannot carry. */
class HeaderSafeKeysTest {
    @Test
    void aKeyAHeaderCannotCarryIsRefusedWhenEntered() {
        try (CredentialManager manager = CredentialManager.builder().store(new InMemoryCredentialStore())
                .keyring(TestKeys.keyring()).build()) {
            HeaderValueFields.assertRefusedWhenEntered(manager, AtlassianCloudScopedTokenType.ID, "apiToken");
            HeaderValueFields.assertRefusedWhenEntered(manager, AtlassianDataCenterPatType.ID, "personalAccessToken");
        }
    }
}
