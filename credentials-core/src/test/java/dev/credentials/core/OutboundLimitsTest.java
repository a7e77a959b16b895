package dev.credentials.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The builder's outbound limits refuse what an operator might mistype, naming the setting. */
class OutboundLimitsTest {
    @ParameterizedTest
    @ValueSource(ints = {0, -1, 10_001, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void anOverallLimitOutOfRangeIsRefusedNamingTheSetting(int bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CredentialManager.builder().maxOutboundCalls(bad));
        assertTrue(e.getMessage().startsWith("maxOutboundCalls must be 1 to 10000"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 10_001})
    void aPerHostLimitOutOfRangeIsRefusedNamingTheSetting(int bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CredentialManager.builder().maxOutboundCallsPerHost(bad));
        assertTrue(e.getMessage().startsWith("maxOutboundCallsPerHost must be 1 to 10000"), e.getMessage());
    }
}
