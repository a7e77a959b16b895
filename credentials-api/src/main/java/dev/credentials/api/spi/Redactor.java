package dev.credentials.api.spi;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.internal.SecretForms;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Removes a credential's secrets from text that came from a third party, before a verifier logs it: every secret
 * value, raw and in base64 and HTTP Basic forms, becomes {@value #REDACTED}. The manager applies the same redaction to
 * every verifier's message. Build one per verification (it holds the secret values until it is unreachable) and
 * never keep it longer. Immutable and thread-safe.
 *
 * <pre>{@code
 * Redactor redactor = Redactor.of(material);
 * LOG.debug("answered {} (code {}), request id {}", status, redactor.loggable(code), redactor.loggable(requestId));
 * }</pre>
 */
public final class Redactor {
    /** What replaces a secret. */
    public static final String REDACTED = "[redacted]";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private final List<String> forms;

    private Redactor(List<String> forms) {
        this.forms = forms;
    }

    /**
     * A redactor for the secrets {@code material} holds now.
     *
     * @param material the credential's values
     * @return a redactor for the secrets {@code material} holds now
     */
    public static Redactor of(CredentialMaterial material) {
        return new Redactor(List.copyOf(SecretForms.of(Objects.requireNonNull(material, "material"))));
    }

    /**
     * {@code text} with every form of every secret replaced by {@value #REDACTED}; empty text for null.
     *
     * @param text the text
     * @return the text with every form of every secret replaced; empty text for null
     */
    public String redact(String text) {
        return SecretForms.redact(text, forms, REDACTED);
    }

    /**
     * A value from a response (an error type or code, a request id) as it may be logged: redacted first, then kept
     * only if it is a short identifier; {@value #REDACTED} if it held a secret, "-" for anything else (free text, an
     * empty value, something too long).
     *
     * @param value the value
     * @return a value from a response (an error type or code, a request id) as it may be logged: redacted first, then
     *     kept only if it is a short identifier; {@value #REDACTED} if it held a secret, "-" for anything else (free text,
     *     an empty value, something too long)
     */
    public String loggable(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        String clean = redact(value);
        if (!clean.equals(value)) {
            return REDACTED;
        }
        return IDENTIFIER.matcher(clean).matches() ? clean : "-";
    }
}
