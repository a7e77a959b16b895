package dev.credentials.core.internal;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
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
        List<String> forms = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        for (String name : material.secretNames()) {
            Secret s = material.requireSecret(name);
            if (!s.wiped() && s.length() > 0) {
                secrets.add(s.reveal());
            }
        }
        for (String raw : secrets) {
            forms.add(raw);
            addBase64(forms, raw);
            for (String user : material.config().values()) {
                addBase64(forms, user + ":" + raw);
            }
            for (String other : secrets) {
                if (!other.equals(raw)) {
                    addBase64(forms, other + ":" + raw);
                }
            }
        }
        forms.sort(Comparator.comparingInt(String::length).reversed());
        return forms;
    }

    private static void addBase64(List<String> forms, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String std = Base64.getEncoder().encodeToString(bytes);
        forms.add(std);
        String unpadded = Base64.getEncoder().withoutPadding().encodeToString(bytes);
        if (!unpadded.equals(std)) {
            forms.add(unpadded);
        }
        String url = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        if (!url.equals(unpadded)) {
            forms.add(url);
        }
    }

    /** {@code text} with every form redacted, control characters removed and cut to the message limit. */
    public static String clean(String text, List<String> forms) {
        if (text == null) {
            return "";
        }
        String out = text;
        for (String f : forms) {
            if (!f.isEmpty()) {
                out = out.replace(f, REDACTED);
            }
        }
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
