package dev.credentials.core.internal;

import dev.credentials.api.CredentialId;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import java.util.Locale;

/** Ids and sort keys. Not public API. */
public final class Names {
    private Names() {}

    /** A new credential id: 128 random bits as 22 base64url characters. */
    public static CredentialId newId(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return CredentialId.of(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
    }

    /**
     * A name filter as the store compares it with sort keys: {@code NFC(text).toLowerCase(Locale.ROOT)}, not stripped,
     * so that {@code " prod"} keeps its space.
     */
    public static String filterKey(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }

    /** {@code NFC(name.strip()).toLowerCase(Locale.ROOT)}. */
    public static String sortKey(String name) {
        return Normalizer.normalize(name.strip(), Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }
}
