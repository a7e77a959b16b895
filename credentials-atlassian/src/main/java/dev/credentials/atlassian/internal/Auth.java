package dev.credentials.atlassian.internal;

import dev.credentials.api.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Authorization header values, set per request (never through {@code java.net.Authenticator}). Not public API. */
public final class Auth {
    private Auth() {}

    /** {@code Basic base64(user:secret)}, UTF-8. */
    public static String basic(String user, Secret secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret.reveal()).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code Bearer secret}. */
    public static String bearer(Secret secret) {
        return "Bearer " + secret.reveal();
    }
}
