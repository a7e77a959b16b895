package dev.credentials.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConnectionStartTest {
    private static final String STATE = "s7Yq2kLmN0pQrStUvWxYz1";
    private static final ConnectionStart START = new ConnectionStart(URI.create(
            "https://auth.atlassian.com/authorize?client_id=app&state=" + STATE + "&code_challenge=abc"),
            Instant.parse("2026-12-02T10:10:00Z"));

    @Test
    void itsTextNamesTheConsentPageButNotTheStateSoALoggedStartCannotBeCompletedBySomeoneElse() {
        assertEquals("ConnectionStart[authorizationUrl=https://auth.atlassian.com/authorize?...,"
                + " expiresAt=2026-12-02T10:10:00Z]", START.toString());
        Selection.AuthorizationRequired answer = new Selection.AuthorizationRequired(
                Optional.of(Principal.user("carol")), Set.of("atlassian-oauth2"), Optional.empty(), Optional.of(START));
        assertFalse(answer.toString().contains(STATE), answer.toString());
    }
}
