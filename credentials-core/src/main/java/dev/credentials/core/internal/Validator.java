package dev.credentials.core.internal;

import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.ValidationException;
import dev.credentials.api.internal.Checks;
import dev.credentials.api.spi.CredentialType;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The generic validation rules of every request. Messages never echo a value. Not public API. */
public final class Validator {
    /** Longest name, after trimming. */
    public static final int MAX_NAME = 200;
    /** Largest value of one field, in UTF-8 bytes. */
    public static final int MAX_VALUE_BYTES = 8 * 1024;
    /** Most shares on one credential. */
    public static final int MAX_SHARES = 1_000;

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private Validator() {}

    /** Checks a credential name; returns the trimmed name (valid only when no error was added). */
    public static String name(String name, List<FieldError> errors) {
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty()) {
            errors.add(new FieldError("name", Codes.REQUIRED, "a credential needs a name"));
        } else if (trimmed.length() > MAX_NAME) {
            errors.add(new FieldError("name", Codes.TOO_LONG, "the name must be at most " + MAX_NAME + " characters"));
        } else if (Checks.isMalformed(trimmed)) {
            errors.add(new FieldError("name", Codes.MALFORMED_TEXT,
                    "the name must be well-formed Unicode text (no lone surrogate, no noncharacter)"));
        } else if (Checks.hasControl(trimmed)) {
            errors.add(new FieldError("name", Codes.CONTROL_CHARACTERS, "the name must not contain control characters"));
        }
        return trimmed;
    }

    /**
     * Checks a type id as given by a caller, before it is looked up; throws {@link ValidationException} for
     * {@code typeId} when it is not well-formed text, so that no message ever echoes such a value.
     */
    public static void typeId(String typeId) {
        if (typeId.isEmpty() || typeId.length() > 128 || Checks.isMalformed(typeId) || Checks.hasInvisible(typeId)) {
            throw ValidationException.of("typeId", Checks.isMalformed(typeId) ? Codes.MALFORMED_TEXT : Codes.INVALID,
                    "a type id is 1 to 128 characters of well-formed, visible text");
        }
    }

    /** Checks a whole new credential against its type, except the type's own rules. */
    public static List<FieldError> newCredential(CredentialType type, NewCredential c) {
        List<FieldError> errors = new ArrayList<>();
        name(c.name(), errors);
        c.config().forEach((name, value) -> field(type, name, false, "pass", errors)
                .ifPresent(f -> configValue(f, value, errors)));
        c.secrets().forEach((name, value) -> field(type, name, true, "pass", errors)
                .ifPresent(f -> secretValue(f, value, errors)));
        for (FieldSpec f : type.fields()) {
            if (f.required() && !f.has(FieldRole.MANAGED) && !c.config().containsKey(f.name())
                    && !c.secrets().containsKey(f.name())) {
                errors.add(new FieldError(f.name(), Codes.REQUIRED, f.label() + " is required"));
            }
        }
        shares(c.shares(), errors);
        return errors;
    }

    /** Checks an update against the type, except the type's own rules and the target rule. */
    public static List<FieldError> update(CredentialType type, CredentialUpdate u) {
        List<FieldError> errors = new ArrayList<>();
        u.name().ifPresent(n -> name(n, errors));
        u.config().forEach((name, value) -> field(type, name, false, "pass", errors).ifPresent(f -> {
            if (u.clearConfig().contains(f.name())) {
                errors.add(new FieldError(f.name(), Codes.CONFLICT, f.label() + " is both set and cleared"));
            } else {
                configValue(f, value, errors);
            }
        }));
        u.secrets().forEach((name, value) -> field(type, name, true, "pass", errors).ifPresent(f -> {
            if (u.clearSecrets().contains(f.name())) {
                errors.add(new FieldError(f.name(), Codes.CONFLICT, f.label() + " is both replaced and cleared"));
            } else {
                secretValue(f, value, errors);
            }
        }));
        u.clearConfig().forEach(name -> field(type, name, false, "clear", errors).ifPresent(f -> notRequired(f, errors)));
        u.clearSecrets().forEach(name -> field(type, name, true, "clear", errors).ifPresent(f -> notRequired(f, errors)));
        return errors;
    }

    /**
     * The field {@code name} of {@code type}, if it exists and is secret exactly when {@code secret}; otherwise an
     * error is added ({@code verb} says what the caller tried: pass or clear).
     */
    private static java.util.Optional<FieldSpec> field(CredentialType type, String name, boolean secret, String verb,
                                                       List<FieldError> errors) {
        FieldSpec f = type.field(name).orElse(null);
        if (f == null) {
            errors.add(unknown(name, type));
            return java.util.Optional.empty();
        }
        if (f.secret() != secret) {
            errors.add(f.secret()
                    ? new FieldError(f.name(), Codes.SECRET_AS_CONFIG, f.label() + " is secret; " + verb + " it as a secret")
                    : new FieldError(f.name(), Codes.CONFIG_AS_SECRET, f.label() + " is not secret; " + verb + " it as config"));
            return java.util.Optional.empty();
        }
        if (f.has(FieldRole.MANAGED) && verb.equals("pass")) {
            errors.add(new FieldError(f.name(), Codes.NOT_ALLOWED, f.label()
                    + " is kept by the library (a refreshed token); it cannot be entered"));
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(f);
    }

    private static void notRequired(FieldSpec f, List<FieldError> errors) {
        if (f.required()) {
            errors.add(new FieldError(f.name(), Codes.REQUIRED, f.label() + " is required and cannot be cleared"));
        }
    }

    /** Checks a list of shares: count and one share per principal. */
    public static void shares(List<Share> shares, List<FieldError> errors) {
        if (shares.size() > MAX_SHARES) {
            errors.add(new FieldError("shares", Codes.TOO_MANY, "a credential can have at most " + MAX_SHARES + " shares"));
        }
        Set<Principal> seen = new HashSet<>();
        for (Share s : shares) {
            if (!seen.add(s.principal())) {
                errors.add(new FieldError("shares", Codes.CONFLICT, "a principal is shared with more than once"));
                break;
            }
        }
    }

    private static FieldError unknown(String name, CredentialType type) {
        String shown = name.length() <= 64 && !Checks.hasControl(name) && !Checks.isMalformed(name) ? name : "(invalid name)";
        return new FieldError(shown, Codes.UNKNOWN_FIELD, "type " + type.id() + " has no field of this name");
    }

    /**
     * Checks a secret value: it must be one that can be sent. Refused: blank, over 8 KiB, malformed UTF-16 or
     * noncharacters, control/format/separator characters, leading or trailing whitespace, and for a
     * {@link FieldRole#HEADER_VALUE} field anything but printable ASCII. Reads the value in place, never copies it.
     */
    private static void secretValue(FieldSpec f, Secret value, List<FieldError> errors) {
        CharSequence v = value.view();
        if (isBlank(v)) {
            errors.add(new FieldError(f.name(), Codes.BLANK, f.label() + " must not be blank; leave it out instead"));
        } else if (utf8Length(v) > MAX_VALUE_BYTES) {
            errors.add(new FieldError(f.name(), Codes.TOO_LONG, f.label() + " must be at most 8 KiB"));
        } else if (Checks.isMalformed(v)) {
            errors.add(new FieldError(f.name(), Codes.MALFORMED_TEXT,
                    f.label() + " must be well-formed Unicode text (no lone surrogate, no noncharacter)"));
        } else if (Checks.hasInvisible(v)) {
            errors.add(new FieldError(f.name(), Codes.CONTROL_CHARACTERS, f.label()
                    + " must not contain control characters, invisible format characters (such as a zero-width space)"
                    + " or line breaks; copy the value again without them"));
        } else if (Checks.hasSurroundingWhitespace(v)) {
            errors.add(new FieldError(f.name(), Codes.SURROUNDING_WHITESPACE,
                    f.label() + " must not start or end with whitespace; copy the value again without it"));
        } else if (f.has(FieldRole.HEADER_VALUE) && !Checks.isHeaderSafe(v)) {
            errors.add(new FieldError(f.name(), Codes.NOT_HEADER_SAFE,
                    f.label() + " is sent in an HTTP header, so it may hold only printable ASCII characters"));
        }
    }

    /** Checks one config value by its field's kind. */
    public static void configValue(FieldSpec f, String value, List<FieldError> errors) {
        if (value.isBlank()) {
            errors.add(new FieldError(f.name(), Codes.BLANK, f.label() + " must not be blank; leave it out instead"));
            return;
        }
        if (utf8Length(value) > MAX_VALUE_BYTES) {
            errors.add(new FieldError(f.name(), Codes.TOO_LONG, f.label() + " must be at most 8 KiB"));
            return;
        }
        if (Checks.isMalformed(value)) {
            errors.add(new FieldError(f.name(), Codes.MALFORMED_TEXT,
                    f.label() + " must be well-formed Unicode text (no lone surrogate, no noncharacter)"));
            return;
        }
        if (Checks.hasControl(value)) {
            errors.add(new FieldError(f.name(), Codes.CONTROL_CHARACTERS, f.label() + " must not contain control characters"));
            return;
        }
        if (f.has(FieldRole.HEADER_VALUE) && !Checks.isHeaderSafe(value)) {
            errors.add(new FieldError(f.name(), Codes.NOT_HEADER_SAFE,
                    f.label() + " is sent in an HTTP header, so it may hold only printable ASCII characters"));
            return;
        }
        switch (f.kind()) {
            case URL -> url(f, value, errors);
            case EMAIL -> {
                if (value.length() > 254 || !EMAIL.matcher(value).matches()) {
                    errors.add(new FieldError(f.name(), Codes.INVALID_EMAIL, f.label() + " must be an e-mail address"));
                }
            }
            case DATE -> {
                boolean ok = DATE.matcher(value).matches();
                if (ok) {
                    try {
                        LocalDate.parse(value);
                    } catch (DateTimeParseException e) {
                        ok = false;
                    }
                }
                if (!ok) {
                    errors.add(new FieldError(f.name(), Codes.INVALID_DATE, f.label() + " must be a date as yyyy-MM-dd"));
                }
            }
            case CHOICE -> choice(f, value, errors);
            case TEXT -> { }
        }
    }

    private static void url(FieldSpec f, String value, List<FieldError> errors) {
        try {
            URI u = new URI(value);
            String scheme = u.getScheme();
            boolean ok = u.isAbsolute() && !u.isOpaque() && scheme != null
                    && (scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))
                    && u.getHost() != null && !u.getHost().isEmpty()
                    && u.getRawUserInfo() == null && u.getRawFragment() == null;
            if (!ok) {
                errors.add(new FieldError(f.name(), Codes.INVALID_URL,
                        f.label() + " must be an absolute http(s) URL with a host, no user-info and no fragment"));
            }
        } catch (URISyntaxException e) {
            errors.add(new FieldError(f.name(), Codes.INVALID_URL, f.label() + " is not a valid URL"));
        }
    }

    private static void choice(FieldSpec f, String value, List<FieldError> errors) {
        List<String> picked = f.multiple() ? List.of(value.split(",", -1)) : List.of(value);
        Set<String> seen = new HashSet<>();
        for (String p : picked) {
            if (!f.choices().contains(p) || !seen.add(p)) {
                errors.add(new FieldError(f.name(), Codes.INVALID_CHOICE,
                        f.label() + " must be " + (f.multiple() ? "a comma-joined list of distinct values from " : "one of ")
                                + f.choices()));
                return;
            }
        }
    }

    private static boolean isBlank(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Counts UTF-8 bytes without encoding, so a secret is never copied. */
    private static int utf8Length(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
