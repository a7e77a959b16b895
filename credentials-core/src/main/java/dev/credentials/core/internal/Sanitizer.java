package dev.credentials.core.internal;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.internal.SecretForms;
import java.util.List;

/**
 * Cleans text that came from a verifier before anyone sees it: every secret value of the credential, raw and in
 * base64 and Basic-auth forms, becomes {@code [redacted]}; control characters become spaces; the text is cut to
 * {@value VerificationResult#MAX_MESSAGE_LENGTH} characters. Not public API.
 */
public final class Sanitizer {
    /** What replaces a secret. */
    public static final String REDACTED = "[redacted]";

    private Sanitizer() {}

    /** Every form of every secret in {@code material} that must not appear in text, longest first. */
    public static List<String> forms(CredentialMaterial material) {
        return SecretForms.of(material);
    }

    /** {@code text} with every form redacted, control characters removed and cut to the message limit. */
    public static String clean(String text, List<String> forms) {
        if (text == null) {
            return "";
        }
        String out = SecretForms.redact(text, forms, REDACTED);
        StringBuilder b = new StringBuilder(Math.min(out.length(), VerificationResult.MAX_MESSAGE_LENGTH));
        for (int i = 0; i < out.length() && b.length() < VerificationResult.MAX_MESSAGE_LENGTH; i++) {
            char c = out.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || Character.getType(c) == Character.FORMAT) {
                if (b.length() > 0 && b.charAt(b.length() - 1) != ' ') {
                    b.append(' ');
                }
            } else {
                b.append(c);
            }
        }
        // Never leave half of a surrogate pair at the cut.
        if (b.length() > 0 && Character.isHighSurrogate(b.charAt(b.length() - 1))) {
            b.setLength(b.length() - 1);
        }
        return b.toString().strip();
    }
}
