package dev.credentials.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretTest {
    @Test
    void toStringNeverShowsTheValue() {
        Secret s = Secret.of("hunter2-secret");
        assertEquals("[redacted]", s.toString());
        assertEquals("[redacted]", String.valueOf(s));
    }

    @Test
    void equalityIsByValue() {
        assertEquals(Secret.of("abc"), Secret.of("abc"));
        assertNotEquals(Secret.of("abc"), Secret.of("abd"));
        assertNotEquals(Secret.of("abc"), Secret.of("abcd"));
        assertNotEquals(Secret.of("abc"), "abc");
        assertEquals(Secret.of("x").hashCode(), Secret.of("y").hashCode(), "the hash reveals nothing");
    }

    @Test
    void ofCharsCopiesAndCloseWipes() {
        char[] input = "secret".toCharArray();
        Secret s = Secret.of(input);
        input[0] = 'X';
        assertEquals("secret", s.reveal());
        char[] copy = s.revealChars();
        s.close();
        assertTrue(s.wiped());
        assertThrows(IllegalStateException.class, s::reveal);
        assertThrows(IllegalStateException.class, s::revealChars);
        assertArrayEquals("secret".toCharArray(), copy, "copies handed out earlier are the caller's to wipe");
        s.close();
    }

    @Test
    void wrapTakesOwnershipAndWipesTheArray() {
        char[] owned = "abc".toCharArray();
        Secret s = Secret.wrap(owned);
        s.close();
        assertArrayEquals(new char[3], owned);
    }

    @Test
    void requestsDoNotPrintSecrets() {
        NewCredential n = NewCredential.builder("t").name("n").secret("k", Secret.of("v-9f8e7d")).build();
        assertFalse(n.toString().contains("v-9f8e7d"));
        CredentialUpdate u = CredentialUpdate.builder().secret("k", Secret.of("v-9f8e7d")).build();
        assertFalse(u.toString().contains("v-9f8e7d"));
    }
}
