package dev.credentials.core.internal;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.CredentialUseException;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoredCredential;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sealing and opening credential records: the envelope (and its data-key cache), the secrets' encoding, and the
 * {@link CredentialMaterial} handed out. Plaintext copies made here are wiped after use. Thread-safe.
 */
public final class Sealing {
    private final Envelope envelope;
    /** Adds a connection's app values to its material; set once by the engine, null until then. */
    private volatile AppLink appLink;

    /**
     * The hook that lets a connection use its app's client id and secret: given a record's material with INTERNAL
     * values, returns it with the values of the app it names (see {@link Apps}). Every reader of INTERNAL values
     * (verify, refresh, authenticate) goes through {@link #material}, so rotating an app's secret serves every
     * connection at once.
     */
    public interface AppLink {
        /** {@code material} with its app's values added, or {@code material} itself; closes it when it replaces it. */
        CredentialMaterial link(StoredCredential record, CredentialMaterial material);

        /**
         * Refuses {@code user} an app it may not connect accounts with, as if the app did not exist.
         *
         * @throws dev.credentials.api.ValidationException for the field {@code app}
         */
        void requireUsable(dev.credentials.api.Subject user, String appId);
    }

    public Sealing(Envelope envelope) {
        this.envelope = envelope;
    }

    /** Sets the hook that adds a connection's app values; called once while the engine is wired. */
    public void appLink(AppLink link) {
        this.appLink = link;
    }

    /**
     * Refuses {@code user} an app it may not connect accounts with (see {@link AppLink#requireUsable}); without a link
     * no app exists, so every app id is refused.
     */
    public void requireUsableApp(dev.credentials.api.Subject user, String appId) {
        AppLink link = appLink;
        if (link == null) {
            throw dev.credentials.api.ValidationException.of("app", dev.credentials.api.FieldError.Codes.INVALID,
                    "there is no OAuth app with this id in this tenant; ask a tenant admin for the app's id");
        }
        link.requireUsable(user, appId);
    }

    /** The envelope, for the keyring and for rewrapping. */
    public Envelope envelope() {
        return envelope;
    }

    /**
     * The record's secrets; the caller wipes them.
     *
     * @throws CredentialUnreadableException when they cannot be decrypted or decoded
     */
    public SecretsCodec.Decoded open(StoredCredential record) {
        byte[] plaintext = envelope.open(binding(record), record.payload());
        try {
            return SecretsCodec.decode(plaintext);
        } catch (IllegalArgumentException e) {
            throw new CredentialUnreadableException("credential " + record.id()
                    + " cannot be read: its sealed data is malformed");
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /** The record's values, without {@link FieldRole#INTERNAL} ones unless {@code withInternal}; the caller closes. */
    public CredentialMaterial material(StoredCredential record, CredentialType type, boolean withInternal) {
        SecretsCodec.Decoded decoded = open(record);
        Map<String, Secret> secrets = new LinkedHashMap<>();
        Set<String> internalFields = new HashSet<>();
        if (!withInternal) {
            List<FieldSpec> fields;
            try {
                fields = TypeCode.run(type, record.id(), "describe the fields of", type::fields);
            } catch (CredentialUseException e) {
                decoded.secrets().values().forEach(v -> Arrays.fill(v, '\0'));
                throw e;
            }
            for (FieldSpec f : fields) {
                if (f.has(FieldRole.INTERNAL)) {
                    internalFields.add(f.name());
                }
            }
        }
        decoded.secrets().forEach((name, value) -> {
            if (!internalFields.contains(name)) {
                secrets.put(name, Secret.wrap(value));
            } else {
                Arrays.fill(value, '\0');
            }
        });
        CredentialMaterial material = CredentialMaterial.of(record.id(), record.typeId(), record.config(), secrets);
        AppLink link = appLink;
        return withInternal && link != null ? link.link(record, material) : material;
    }

    /**
     * Seals {@code secrets} (not wiped here) for the record they belong to.
     *
     * @throws ValidationException for {@code secrets} when they are too large together
     */
    public SealedPayload seal(TenantId tenant, CredentialId id, CredentialType type, Map<String, String> config,
                              Map<String, char[]> secrets) {
        byte[] plaintext = SecretsCodec.encode(type.schemaVersion(), secrets);
        try {
            if (plaintext.length > Envelope.MAX_PLAINTEXT_BYTES) {
                throw ValidationException.of("secrets", Codes.TOO_LARGE,
                        "the secrets together must be at most " + Envelope.MAX_PLAINTEXT_BYTES / 1024 + " KiB");
            }
            return envelope.seal(new Envelope.Binding(tenant, id, type.id(), config), plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /** The record's payload with its data key wrapped under {@code targetKekId}; the secrets stay sealed. */
    public SealedPayload rewrap(StoredCredential record, String targetKekId) {
        return envelope.rewrap(binding(record), record.payload(), targetKekId);
    }

    /** Reveals every secret into a sorted map of copies; wipe it with {@link #wipe}. */
    public static Map<String, char[]> revealAll(Map<String, Secret> secrets) {
        Map<String, char[]> out = new TreeMap<>();
        secrets.forEach((k, v) -> out.put(k, v.revealChars()));
        return out;
    }

    /** Zeroes every value. */
    public static void wipe(Map<String, char[]> secrets) {
        secrets.values().forEach(v -> Arrays.fill(v, '\0'));
    }

    private static Envelope.Binding binding(StoredCredential r) {
        return new Envelope.Binding(r.tenant(), r.id(), r.typeId(), r.config());
    }
}
