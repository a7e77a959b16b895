package dev.credentials.core.internal;

import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.TenantId;
import dev.credentials.api.ValidationException;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.StoredCredential;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth apps: a tenant's app credentials (of an app type, one with a {@link ConnectionFlow}) and the apps registered
 * platform-wide on the builder ({@code platform:NAME}). Connections name their app in {@link ConnectionFlow#APP_FIELD}
 * instead of holding a client secret; {@link #link} gives them the app's client id and secret whenever the core reads
 * a connection's INTERNAL values (verify, refresh), so a rotated app secret serves every connection at once and no
 * connection ever stores it. Thread-safe: immutable after construction. Not public API.
 */
public final class Apps implements Sealing.AppLink {
    /** How a platform-wide app's id starts; a credential id never holds a colon, so the two cannot be confused. */
    public static final String PLATFORM = "platform:";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Logger LOG = LoggerFactory.getLogger(Apps.class);

    /**
     * An app registered on the builder.
     *
     * @param name lower-kebab, at most 64 characters; connections name it {@code platform:NAME}
     * @param typeId an app type id
     * @param config its config values
     * @param secrets its secret values (copies owned here)
     */
    public record PlatformApp(String name, String typeId, Map<String, String> config, Map<String, Secret> secrets) {
        /** Checks the name and copies the maps. */
        public PlatformApp {
            Objects.requireNonNull(name, "name");
            if (name.length() > 64 || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("an app's name must be lower-kebab-case of at most 64 characters");
            }
            Objects.requireNonNull(typeId, "typeId");
            config = Map.copyOf(config);
            Map<String, Secret> copies = new LinkedHashMap<>();
            secrets.forEach((k, v) -> copies.put(k, copy(v)));
            secrets = Map.copyOf(copies);
        }

        @Override
        public String toString() {
            return "PlatformApp[name=" + name + ", typeId=" + typeId + ", config=" + config + ", secrets="
                    + secrets.keySet() + "]";
        }
    }

    private final CredentialStore store;
    private final Installed installed;
    private final Sealing sealing;
    private final Map<String, PlatformApp> platform;

    /**
     * @throws IllegalStateException when a platform app's type is not an installed app type
     */
    public Apps(CredentialStore store, Installed installed, Sealing sealing, Map<String, PlatformApp> platform) {
        this.store = store;
        this.installed = installed;
        this.sealing = sealing;
        this.platform = Map.copyOf(platform);
        this.platform.values().forEach(a -> {
            if (!installed.isAppType(a.typeId())) {
                throw new IllegalStateException("OAuth app '" + a.name() + "' is of type '" + a.typeId()
                        + "', which is not an installed app type (one with a connection flow)");
            }
        });
    }

    /** An app as found: its id, type, flow and values (the caller closes the material). */
    public record App(String id, ConnectionFlow flow, CredentialMaterial material) implements AutoCloseable {
        @Override
        public void close() {
            material.close();
        }
    }

    /**
     * The app {@code appId} names, if {@code user} may connect accounts with it (see {@link #usableBy}), with its
     * client secret when {@code withSecret}.
     *
     * @throws ValidationException for the field {@code app} when there is no such app or the user may not use it:
     *     the same error, so a refusal does not tell that an app exists
     */
    public App open(Subject user, String appId, boolean withSecret) {
        return find(user.tenant(), user.actor(), appId, withSecret).orElseThrow(Apps::unknown);
    }

    /**
     * Refuses {@code user} an app it may not connect with, with the same error as an unknown app.
     *
     * @throws ValidationException for the field {@code app}
     */
    @Override
    public void requireUsable(Subject user, String appId) {
        open(user, appId, false).close();
    }

    private static ValidationException unknown() {
        return ValidationException.of(ConnectionFlow.APP_FIELD, Codes.INVALID,
                "there is no OAuth app with this id in this tenant; ask a tenant admin for the app's id");
    }

    /**
     * Who may connect accounts with a tenant's app credential: an app registered for the tenant (app types can only
     * be created by a tenant admin) serves every user of the tenant, while a personal app serves its owner only. A
     * share grants nothing here: a share of a personal app's USE cannot lend its client secret to another user.
     */
    static boolean usableBy(Principal user, StoredCredential app) {
        return !app.personal() || app.owner().equals(user);
    }

    /**
     * Adds an error for each of a connection's read-only fields ({@link ConnectionFlow#APP_FIELD},
     * {@link ConnectionFlow#ACCOUNT_FIELD}) that {@code update} sets to another value or clears: pointing a connection
     * at another app would lend it that app's client secret, and another account id would fake a reconnect's check.
     */
    public static void readOnly(Installed installed, StoredCredential current, CredentialUpdate update,
                                List<FieldError> errors) {
        if (installed.flowForConnection(current.typeId()).isEmpty()) {
            return;
        }
        for (String field : List.of(ConnectionFlow.APP_FIELD, ConnectionFlow.ACCOUNT_FIELD)) {
            String now = current.config().get(field);
            String next = update.config().get(field);
            boolean changed = (next != null && !next.equals(now)) || (now != null && update.clearConfig().contains(field));
            if (changed) {
                errors.add(new FieldError(field, Codes.NOT_ALLOWED, field + " is set when an account is connected and"
                        + " cannot be changed; connect the account again (reconnect) or make a new connection"));
            }
        }
    }

    private Optional<App> find(TenantId tenant, Principal user, String appId, boolean withSecret) {
        if (appId == null) {
            return Optional.empty();
        }
        if (appId.startsWith(PLATFORM)) {
            PlatformApp p = platform.get(appId.substring(PLATFORM.length()));
            if (p == null) {
                return Optional.empty();
            }
            Map<String, Secret> secrets = new LinkedHashMap<>();
            p.secrets().forEach((k, v) -> {
                if (withSecret || !k.equals(ConnectionFlow.CLIENT_SECRET_FIELD)) {
                    secrets.put(k, copy(v));
                }
            });
            return Optional.of(new App(appId, installed.flow(p.typeId()).orElseThrow(),
                    CredentialMaterial.of(null, p.typeId(), p.config(), secrets)));
        }
        CredentialId id;
        try {
            id = CredentialId.of(appId);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Optional<StoredCredential> record = store.find(tenant, id);
        if (record.isEmpty() || !record.get().tenant().equals(tenant)
                || installed.flow(record.get().typeId()).isEmpty()
                || (user != null && !usableBy(user, record.get()))) {
            return Optional.empty();
        }
        StoredCredential r = record.get();
        CredentialMaterial m = sealing.material(r, installed.require(r.typeId()), withSecret);
        return Optional.of(new App(appId, installed.flow(r.typeId()).orElseThrow(), m));
    }

    /**
     * A connection's material with its app's client id and secret added, and the app's value for every TARGET field
     * the app also sets (its token URL above all), so that the secret only ever goes where the app says; other
     * materials as they are. When the app is gone the material stays as it is, and the refresh or check that needs
     * the secret fails on its own.
     */
    @Override
    public CredentialMaterial link(StoredCredential record, CredentialMaterial material) {
        String appId = record.config().get(ConnectionFlow.APP_FIELD);
        if (appId == null || installed.flowForConnection(record.typeId()).isEmpty()) {
            return material;
        }
        // The connection's app was checked for its owner when it was made; app is read-only since.
        Optional<App> app = find(record.tenant(), null, appId, true);
        if (app.isEmpty()) {
            LOG.warn("Connection {} in tenant {} names an OAuth app that no longer exists", record.id(),
                    record.tenant());
            return material;
        }
        try (App a = app.get()) {
            Map<String, String> config = new LinkedHashMap<>(material.config());
            a.material().config(ConnectionFlow.CLIENT_ID_FIELD).ifPresent(v -> config.put(ConnectionFlow.CLIENT_ID_FIELD, v));
            // The app's endpoints win over the connection's copies of them: a connection's owner may edit its config,
            // and a token URL pointing elsewhere would receive the app's client secret with the next refresh.
            for (FieldSpec f : installed.require(record.typeId()).fields()) {
                if (!f.secret() && f.has(FieldRole.TARGET)) {
                    a.material().config(f.name()).ifPresent(v -> config.put(f.name(), v));
                }
            }
            Map<String, Secret> secrets = new LinkedHashMap<>();
            material.secrets().forEach((k, v) -> secrets.put(k, copy(v)));
            a.material().secret(ConnectionFlow.CLIENT_SECRET_FIELD)
                    .ifPresent(v -> secrets.put(ConnectionFlow.CLIENT_SECRET_FIELD, copy(v)));
            CredentialMaterial linked = CredentialMaterial.of(record.id(), record.typeId(), config, secrets);
            material.close();
            return linked;
        }
    }

    private static Secret copy(Secret s) {
        char[] chars = s.revealChars();
        try {
            return Secret.of(chars);
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }
}
