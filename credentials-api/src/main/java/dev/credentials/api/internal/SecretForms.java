package dev.credentials.api.internal;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every form in which a credential's secrets may come back in text a third party wrote: raw, base64 (standard,
 * unpadded, URL-safe) and HTTP Basic ({@code user:secret} for each config value and each other secret, and a secret
 * alone before or after the colon). One definition for verifier messages, verifier logs and the manager. Not public
 * API.
 */
public final class SecretForms {
    private SecretForms() {}

    /** The forms of every secret in {@code material}, longest first, so a longer form is replaced before its parts. */
    public static List<String> of(CredentialMaterial material) {
        List<String> secrets = new ArrayList<>();
        for (String name : material.secretNames()) {
            Secret s = material.requireSecret(name);
            if (!s.wiped() && s.length() > 0) {
                secrets.add(s.reveal());
            }
        }
        Set<String> forms = new LinkedHashSet<>();
        for (String raw : secrets) {
            forms.add(raw);
            addBase64(forms, raw);
            addBase64(forms, ":" + raw);
            addBase64(forms, raw + ":");
            for (String user : material.config().values()) {
                addBase64(forms, user + ":" + raw);
            }
            for (String other : secrets) {
                if (!other.equals(raw)) {
                    addBase64(forms, other + ":" + raw);
                }
            }
        }
        List<String> sorted = new ArrayList<>(forms);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        return sorted;
    }

    /** {@code text} with every form replaced by {@code replacement}; nothing else changes. */
    public static String redact(String text, List<String> forms, String replacement) {
        if (text == null) {
            return "";
        }
        String out = text;
        for (String f : forms) {
            if (!f.isEmpty()) {
                out = out.replace(f, replacement);
            }
        }
        return out;
    }

    private static void addBase64(Set<String> forms, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        forms.add(Base64.getEncoder().encodeToString(bytes));
        forms.add(Base64.getEncoder().withoutPadding().encodeToString(bytes));
        forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        forms.add(Base64.getUrlEncoder().encodeToString(bytes));
    }
}
