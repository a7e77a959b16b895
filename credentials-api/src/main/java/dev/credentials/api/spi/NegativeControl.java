package dev.credentials.api.spi;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A verifier's declaration that its identity call cannot tell identities apart: the third party may accept any key
 * (an aggregator or a self-hosted server run without authentication), so a 2xx for the real credential proves
 * nothing by itself. For a verifier that declares one (see {@link Verifier#negativeControl()}), a VERIFIED result
 * stands only when the same verification, run again with the named secrets deliberately altered, is refused:
 *
 * <ul>
 *   <li>the altered credential is FAILED as {@code INVALID_CREDENTIALS}, {@code EXPIRED} or {@code PERMISSION_DENIED}:
 *       the third party tells keys apart, and the real result stands;</li>
 *   <li>the altered credential is VERIFIED too: INCONCLUSIVE {@code NOT_VERIFIABLE}, the key proves nothing there;</li>
 *   <li>the altered check got no answer (a 5xx, 429, timeout, reset): INCONCLUSIVE with that check's reason and
 *       {@code retryAfter}; nothing refused anything, so a later check may settle it;</li>
 *   <li>any other failure: INCONCLUSIVE {@code NOT_VERIFIABLE}.</li>
 * </ul>
 *
 * <p>The manager runs the control inside the same deadline, through {@link #verify}; a verifier never runs it itself.
 * An altered secret keeps the real one's length, its leading prefix (such as {@code sk-proj-}) and the class of each
 * character, so a server that checks the format still judges the key, and it differs from the real one in every
 * letter and digit after that prefix. Immutable and thread-safe.
 */
public final class NegativeControl {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String DIGITS = "0123456789";
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private final Set<String> secretFields;

    private NegativeControl(Set<String> secretFields) {
        this.secretFields = secretFields;
    }

    /**
     * A control that alters these secret fields (those holding a value) and keeps every other field as it is.
     *
     * @param secretFields the secret fields
     * @return a control that alters these secret fields (those holding a value) and keeps every other field as it is
     * @throws IllegalArgumentException when no field is named, or a name is blank
     */
    public static NegativeControl altering(String... secretFields) {
        Objects.requireNonNull(secretFields, "secretFields");
        if (secretFields.length == 0) {
            throw new IllegalArgumentException("secretFields: name at least one secret field to alter");
        }
        for (String f : secretFields) {
            if (f == null || f.isBlank()) {
                throw new IllegalArgumentException("secretFields: a field name is blank");
            }
        }
        return new NegativeControl(Set.of(secretFields));
    }

    /**
     * The secret fields the control alters.
     *
     * @return the secret fields the control alters
     */
    public Set<String> secretFields() {
        return secretFields;
    }

    /**
     * Verifies {@code material} with {@code verifier}, and, when the verifier declares a control and the result is
     * VERIFIED, runs the control and judges both as described above. This is what the manager calls; contract suites
     * call it too. Does not close {@code material}.
     *
     * @param verifier the verifier
     * @param context the verification's context
     * @param material the credential's values
     * @return the verifier's result, or the result of judging it with the control
     */
    public static VerificationResult verify(Verifier verifier, VerificationContext context, CredentialMaterial material) {
        VerificationResult real = verifier.verify(context, material);
        if (real == null || !real.isVerified()) {
            return real;
        }
        NegativeControl control = verifier.negativeControl().orElse(null);
        if (control == null) {
            return real;
        }
        CredentialMaterial altered = control.alter(material);
        if (altered == null) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "The credential holds no key that"
                    + " could be checked against an altered one; nothing was established.");
        }
        VerificationResult check;
        try (altered) {
            check = verifier.verify(context, altered);
        }
        return judge(real, check);
    }

    /** The outcome of a VERIFIED {@code real} result given the {@code control} result. */
    static VerificationResult judge(VerificationResult real, VerificationResult control) {
        if (control == null) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "The key was accepted, but the check"
                    + " with a deliberately altered key gave no result; nothing was established.");
        }
        switch (control.outcome()) {
            case VERIFIED:
                return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "The service accepted the key, but"
                        + " it also accepted a deliberately altered one: it does not check keys, so the key proves"
                        + " nothing. Turn on authentication there if it should require keys.");
            case INCONCLUSIVE:
                return VerificationResult.inconclusive(control.reason(), "The service accepted the key, but the check"
                        + " with a deliberately altered key got no answer (" + describe(control.reason()) + "), so it"
                        + " is not yet known whether it checks keys; a later check may settle it.",
                        control.retryAfter());
            default:
                FailureReason why = control.reason();
                if (why == FailureReason.INVALID_CREDENTIALS || why == FailureReason.EXPIRED
                        || why == FailureReason.PERMISSION_DENIED) {
                    return VerificationResult.verified(real.message() + " A deliberately altered key was refused, so"
                            + " the service checks keys.");
                }
                return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "The service accepted the key, but"
                        + " did not refuse a deliberately altered one as a wrong key (" + describe(why) + "), so the key"
                        + " proves nothing yet.");
        }
    }

    private static String describe(FailureReason reason) {
        return reason == null ? "no reason" : reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** A copy of {@code material} with the named secrets altered, or null when none of them holds a value. */
    CredentialMaterial alter(CredentialMaterial material) {
        Map<String, Secret> secrets = new LinkedHashMap<>();
        boolean altered = false;
        for (String name : material.secretNames()) {
            char[] value = material.requireSecret(name).revealChars();
            try {
                if (secretFields.contains(name) && value.length > 0) {
                    secrets.put(name, Secret.wrap(alter(value)));
                    altered = true;
                } else {
                    secrets.put(name, Secret.of(value));
                }
            } finally {
                Arrays.fill(value, '\0');
            }
        }
        if (!altered) {
            secrets.values().forEach(Secret::close);
            return null;
        }
        return CredentialMaterial.of(material.id().orElse(null), material.typeId(), material.config(), secrets);
    }

    /**
     * The secret with every letter and digit after its prefix replaced by another of the same class. The prefix is the
     * text up to the last '-' or '_' among the first 16 characters (such as {@code sk-proj-}), else the first 4
     * characters of a longer secret (such as {@code AIza}).
     */
    static char[] alter(char[] value) {
        int keep = 0;
        for (int i = 0; i < Math.min(16, value.length); i++) {
            if (value[i] == '-' || value[i] == '_') {
                keep = i + 1;
            }
        }
        if (keep == 0 && value.length > 8) {
            keep = 4;
        }
        if (value.length - keep < 4) {
            keep = 0;
        }
        char[] out = value.clone();
        boolean changed = false;
        for (int i = keep; i < out.length; i++) {
            String alphabet = alphabet(out[i]);
            if (alphabet != null) {
                char c;
                do {
                    c = alphabet.charAt(RANDOM.nextInt(alphabet.length()));
                } while (c == out[i]);
                out[i] = c;
                changed = true;
            }
        }
        if (!changed) {
            // No letter or digit to change: a different length is the surest alteration.
            char[] longer = Arrays.copyOf(out, out.length + 1);
            longer[out.length] = 'x';
            Arrays.fill(out, '\0');
            return longer;
        }
        return out;
    }

    private static String alphabet(char c) {
        if (c >= '0' && c <= '9') {
            return DIGITS;
        }
        if (c >= 'a' && c <= 'z') {
            return LOWER;
        }
        if (c >= 'A' && c <= 'Z') {
            return UPPER;
        }
        return null;
    }

    @Override
    public String toString() {
        return "NegativeControl" + secretFields;
    }
}
