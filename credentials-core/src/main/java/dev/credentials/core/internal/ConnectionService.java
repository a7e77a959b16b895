package dev.credentials.core.internal;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.ConnectRequest;
import dev.credentials.api.ConnectionRefusedException;
import dev.credentials.api.ConnectionRefusedException.Reason;
import dev.credentials.api.ConnectionResult;
import dev.credentials.api.ConnectionStart;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldError.Codes;
import dev.credentials.api.FieldRole;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.Subject;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.ConnectionFlow;
import dev.credentials.api.spi.ConnectionFlow.Exchange;
import dev.credentials.api.spi.ConnectionStateStore;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.SealedPayload;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.UrlPolicy;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.VerificationState;
import dev.credentials.core.Connections;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@link Connections}: starts, completes and finishes connections with the state kept by {@link ConnectionStates}
 * and the provider's part done by the app type's {@link ConnectionFlow}. Refusals store nothing (a taken state stays
 * taken: it is single use). Thread-safe: the store's compare-and-set decides which caller takes a state. Not public API.
 */
public final class ConnectionService implements Connections {
    private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,200}");
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_SCOPES = 50;
    private static final int HISTORY = 20;

    private final Engine engine;
    private final Apps apps;
    private final ConnectionStates states;
    private final SecureRandom random;
    private final Duration timeout;
    private final UrlPolicy urlPolicy;

    public ConnectionService(Engine engine, Apps apps, SecureRandom random, Duration timeout, UrlPolicy urlPolicy) {
        this.engine = engine;
        this.apps = apps;
        this.random = random;
        this.timeout = timeout;
        this.urlPolicy = urlPolicy;
        this.states = engine.store() instanceof ConnectionStateStore s
                ? new ConnectionStates(s, engine.sealing(), random) : null;
    }

    @Override
    public ConnectionStart start(Subject user, ConnectRequest request) {
        return start(user, request, null);
    }

    /**
     * {@link #start(Subject, ConnectRequest)} for a selection that found nothing: as the served user would start it,
     * and refused when the app's connections are of none of {@code typeIds} (they would never be selected).
     */
    public ConnectionStart start(Subject user, ConnectRequest request, Set<String> typeIds) {
        engine.lifecycle().ensureOpen();
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(request, "request");
        engine.access().requireUser(user, "connect accounts");
        ConnectionStates s = states();
        List<FieldError> errors = new ArrayList<>();
        checkRedirect(request.redirectUri(), errors);
        request.name().ifPresent(n -> Validator.name(n, errors));
        if (request.scopes().size() > MAX_SCOPES) {
            errors.add(new FieldError("scopes", Codes.TOO_MANY, "at most " + MAX_SCOPES + " scopes"));
        } else if (!request.scopes().stream().allMatch(sc -> SCOPE.matcher(sc).matches())) {
            errors.add(new FieldError("scopes", Codes.INVALID, "a scope must be 1 to 200 printable characters"
                    + " without spaces, quotes or backslashes (RFC 6749 section 3.3)"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        Instant now = now();
        Instant expiresAt = now.plus(STATE_LIFETIME);
        String value = s.newValue();
        String verifier = newVerifier();
        Map<String, char[]> values = new TreeMap<>();
        try (Apps.App app = apps.open(user, request.app(), false)) {
            if (typeIds != null && !typeIds.contains(app.flow().connectionTypeId())) {
                throw ValidationException.of("connectWith", Codes.INVALID, "the app makes connections of type "
                        + app.flow().connectionTypeId() + ", which the selector does not ask for; add the type or name"
                        + " another app");
            }
            request.reconnect().ifPresent(id -> checkReconnect(user, id, app));
            put(values, "phase", "start");
            put(values, "tenant", user.tenant().value());
            put(values, "user", user.actor().id());
            put(values, "app", app.id());
            put(values, "redirect", request.redirectUri().toString());
            values.put("verifier", verifier.toCharArray());
            request.name().ifPresent(n -> put(values, "name", n.strip()));
            request.reconnect().ifPresent(id -> put(values, "reconnect", id.value()));
            s.save(user.tenant(), value, values, expiresAt);
            URI url = app.flow().authorizationUrl(app.material(), new ConnectionFlow.Authorization(value,
                    challenge(verifier), request.redirectUri(), new ArrayList<>(new LinkedHashSet<>(request.scopes()))));
            return new ConnectionStart(url, expiresAt);
        } finally {
            wipe(values);
        }
    }

    @Override
    public ConnectionResult complete(Subject user, URI redirectUri, Map<String, String> parameters) {
        engine.lifecycle().ensureOpen();
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(redirectUri, "redirectUri");
        Objects.requireNonNull(parameters, "parameters");
        engine.access().requireUser(user, "connect accounts");
        String state = parameters.get("state");
        if (state == null || state.isEmpty()) {
            throw refused(Reason.MALFORMED, "The callback has no state parameter; start connecting again.");
        }
        ConnectionStates.Opened opened = states().open(state);
        try {
            checkOwner(user, opened, "start");
            if (!opened.get("redirect").equals(redirectUri.toString())) {
                throw refused(Reason.REDIRECT_MISMATCH, "The callback arrived at another address than the one this"
                        + " connection was started with; start connecting again.");
            }
            String error = parameters.get("error");
            String code = parameters.get("code");
            if (error == null && (code == null || code.isEmpty() || code.length() > 4096)) {
                throw refused(Reason.MALFORMED, "The callback has neither an authorization code nor an error.");
            }
            take(opened);
            if (error != null) {
                String shown = ERROR_CODE.matcher(error).matches() ? error : "invalid_error";
                return new ConnectionResult.Declined(shown, shown.equals("access_denied")
                        ? "You declined access at the provider, so nothing was connected."
                        : "The provider refused the request (" + shown + "), so nothing was connected.");
            }
            try (Apps.App app = apps.open(user, opened.get("app"), true);
                 Secret c = Secret.of(code); Secret v = Secret.wrap(opened.values().remove("verifier"));
                 Exchange ex = app.flow().exchange(context(), app.material(),
                         new ConnectionFlow.CodeExchange(c, v, redirectUri))) {
                if (ex instanceof Exchange.Refused r) {
                    throw refused(Reason.CODE_REFUSED, r.message());
                }
                if (ex instanceof Exchange.Unavailable u) {
                    throw refused(Reason.PROVIDER_UNAVAILABLE, u.message());
                }
                Exchange.Connected done = (Exchange.Connected) ex;
                requireSameAccount(user, opened.get("reconnect"), done.accountId());
                if (done.sites().size() > 1) {
                    return offerSites(user, opened, done);
                }
                return finish(user, app.flow(), opened.get("app"), opened.get("name"), opened.get("reconnect"),
                        done.config(), done.secrets(), done.accountId(), done.accountName(),
                        done.sites().isEmpty() ? null : done.sites().get(0));
            }
        } finally {
            opened.wipe();
        }
    }

    @Override
    public ConnectionResult chooseSite(Subject user, String choice, String siteId) {
        engine.lifecycle().ensureOpen();
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(choice, "choice");
        Objects.requireNonNull(siteId, "siteId");
        engine.access().requireUser(user, "connect accounts");
        ConnectionStates.Opened opened = states().open(choice);
        try {
            checkOwner(user, opened, "site");
            List<ConnectionResult.Site> sites = sites(opened);
            ConnectionResult.Site site = sites.stream().filter(x -> x.id().equals(siteId)).findFirst().orElseThrow(() ->
                    ValidationException.of("site", Codes.INVALID, "choose one of the sites offered"));
            take(opened);
            Map<String, String> config = new TreeMap<>();
            Map<String, Secret> secrets = new TreeMap<>();
            opened.values().forEach((k, v) -> {
                if (k.startsWith("c.")) {
                    config.put(k.substring(2), new String(v));
                } else if (k.startsWith("s.")) {
                    secrets.put(k.substring(2), Secret.of(v));
                }
            });
            try (Apps.App app = apps.open(user, opened.get("app"), false)) {
                return finish(user, app.flow(), opened.get("app"), opened.get("name"), opened.get("reconnect"), config,
                        secrets, opened.get("account"), opened.get("accountName"), site);
            } finally {
                secrets.values().forEach(Secret::close);
            }
        } finally {
            opened.wipe();
        }
    }

    private ConnectionResult offerSites(Subject user, ConnectionStates.Opened opened, Exchange.Connected done) {
        Map<String, char[]> values = new TreeMap<>();
        try {
            for (String k : List.of("tenant", "user", "app", "name", "reconnect")) {
                String v = opened.get(k);
                if (v != null) {
                    put(values, k, v);
                }
            }
            put(values, "phase", "site");
            put(values, "account", done.accountId());
            put(values, "accountName", done.accountName());
            done.config().forEach((k, v) -> put(values, "c." + k, v));
            done.secrets().forEach((k, v) -> values.put("s." + k, v.revealChars()));
            for (int i = 0; i < done.sites().size(); i++) {
                ConnectionResult.Site site = done.sites().get(i);
                put(values, "site." + i + ".id", site.id());
                put(values, "site." + i + ".name", site.name());
                put(values, "site." + i + ".url", site.url().toString());
            }
            String choice = states().newValue();
            Instant expiresAt = opened.kept().expiresAt();
            states().save(user.tenant(), choice, values, expiresAt);
            return new ConnectionResult.SiteChoice(choice, done.sites(), expiresAt);
        } finally {
            wipe(values);
        }
    }

    private static List<ConnectionResult.Site> sites(ConnectionStates.Opened opened) {
        List<ConnectionResult.Site> sites = new ArrayList<>();
        for (int i = 0; opened.get("site." + i + ".id") != null; i++) {
            sites.add(new ConnectionResult.Site(opened.get("site." + i + ".id"), opened.get("site." + i + ".name"),
                    URI.create(opened.get("site." + i + ".url"))));
        }
        return sites;
    }

    /** Stores the connection: a new credential, or the reconnected one with new values. */
    private ConnectionResult finish(Subject user, ConnectionFlow flow, String appId, String name, String reconnect,
                                    Map<String, String> exchanged, Map<String, Secret> secrets, String accountId,
                                    String accountName, ConnectionResult.Site site) {
        CredentialType type = engine.installed().require(flow.connectionTypeId());
        Map<String, String> config = new TreeMap<>(exchanged);
        if (site != null) {
            config.putAll(flow.siteConfig(site));
        }
        config.put(ConnectionFlow.APP_FIELD, appId);
        config.put(ConnectionFlow.ACCOUNT_FIELD, accountId);
        String shown = name != null ? name : defaultName(type, accountName, site);
        NewCredential.Builder request = NewCredential.builder(type.id()).name(shown).config(config);
        // The library's own (MANAGED) fields, such as a first access token, are stored but not entered, so not checked.
        secrets.forEach((k, v) -> {
            if (type.field(k).map(f -> !f.has(FieldRole.MANAGED)).orElse(true)) {
                request.secret(k, v);
            }
        });
        NewCredential asked = request.build();
        List<FieldError> errors = Validator.newCredential(type, asked);
        if (errors.isEmpty()) {
            errors.addAll(type.validate(asked.config(), asked.secrets()));
        }
        if (!errors.isEmpty()) {
            throw refused(Reason.MALFORMED, "The provider's answer does not make a valid connection ("
                    + errors.get(0).field() + ": " + errors.get(0).message() + "); nothing was stored.");
        }
        Instant now = now();
        VerificationResult verified = new VerificationResult(VerificationResult.Outcome.VERIFIED, null,
                "Connected: the provider accepted the new token and identified the account.", now, Duration.ZERO,
                null);
        Map<String, char[]> plain = Sealing.revealAll(secrets);
        try {
            return reconnect == null
                    ? create(user, type, shown, config, plain, verified, now)
                    : reconnected(user, type, CredentialId.of(reconnect), accountId, config, plain, verified, now);
        } finally {
            Sealing.wipe(plain);
        }
    }

    private ConnectionResult create(Subject user, CredentialType type, String name, Map<String, String> config,
                                    Map<String, char[]> secrets, VerificationResult verified, Instant now) {
        CredentialId id = Names.newId(random);
        SealedPayload payload = engine.sealing().seal(user.tenant(), id, type, config, secrets);
        StoredCredential record = StoredCredential.builder()
                .tenant(user.tenant()).id(id).name(name).sortKey(Names.sortKey(name))
                .typeId(type.id()).owner(user.actor()).config(config).secretFields(secrets.keySet()).shares(List.of())
                .status(CredentialStatus.VERIFIED).verification(VerificationState.NONE.record(verified, HISTORY))
                .createdAt(now).updatedAt(now).version(0).contentVersion(0).revision(0).payload(payload)
                .personal(true).delegation(true).build();
        engine.writes().insert(record, engine.auditing().change(user, id, AuditAction.CREATED, AuditRecord.OK),
                () -> new CredentialEvent.Created(UUID.randomUUID(), user.tenant(), id, 0, user.actor(), now,
                        type.id(), name));
        return new ConnectionResult.Connected(Edits.toCredential(record), false);
    }

    private ConnectionResult reconnected(Subject user, CredentialType type, CredentialId id, String accountId,
                                         Map<String, String> config, Map<String, char[]> secrets,
                                         VerificationResult verified, Instant now) {
        WritePath.Result result = engine.writes().write(user.tenant(), id, found -> {
            StoredCredential current = found.filter(r -> r.owner().equals(user.actor())).orElseThrow(() ->
                    new CredentialNotFoundException("credential " + id + " not found"));
            if (!accountId.equals(current.config().get(ConnectionFlow.ACCOUNT_FIELD))) {
                throw otherAccount();
            }
            SealedPayload payload = engine.sealing().seal(user.tenant(), id, type, config, secrets);
            StoredCredential next = current.toBuilder().config(config).secretFields(secrets.keySet()).payload(payload)
                    .status(CredentialStatus.VERIFIED)
                    .verification(current.verification().forNewContent().record(verified, HISTORY))
                    .contentVersion(current.contentVersion() + 1).version(current.version() + 1).updatedAt(now)
                    .build();
            return WritePath.Write.update(next, () -> new CredentialEvent.Updated(UUID.randomUUID(), user.tenant(), id,
                            next.version(), user.actor(), now, true, Set.copyOf(config.keySet())))
                    .withAudit(engine.auditing().change(user, id, AuditAction.UPDATED, AuditRecord.OK));
        });
        return new ConnectionResult.Connected(Edits.toCredential(result.after()), true);
    }

    private void checkReconnect(Subject user, CredentialId id, Apps.App app) {
        StoredCredential r = engine.store().find(user.tenant(), id)
                .filter(x -> x.owner().equals(user.actor()))
                .orElseThrow(() -> new CredentialNotFoundException("credential " + id + " not found"));
        if (!r.typeId().equals(app.flow().connectionTypeId())
                || !app.id().equals(r.config().get(ConnectionFlow.APP_FIELD))) {
            throw ValidationException.of("reconnect", Codes.INVALID, "this credential is not a connection made with"
                    + " this app; start a new connection instead");
        }
    }

    private void requireSameAccount(Subject user, String reconnect, String accountId) {
        if (reconnect == null) {
            return;
        }
        Optional<StoredCredential> r = engine.store().find(user.tenant(), CredentialId.of(reconnect));
        if (r.isPresent() && !accountId.equals(r.get().config().get(ConnectionFlow.ACCOUNT_FIELD))) {
            throw otherAccount();
        }
    }

    private static ConnectionRefusedException otherAccount() {
        return refused(Reason.OTHER_ACCOUNT, "You signed in to another account than the one this connection was"
                + " made with, so it was not reconnected; sign in with the original account, or connect the other"
                + " account as a new connection.");
    }

    private void checkOwner(Subject user, ConnectionStates.Opened opened, String phase) {
        if (!user.tenant().value().equals(opened.get("tenant"))) {
            throw refused(Reason.OTHER_TENANT, "This connection was started in another organization; start"
                    + " connecting again here.");
        }
        if (!user.actor().id().equals(opened.get("user"))) {
            throw refused(Reason.OTHER_USER, "This connection was started by another user; start connecting again"
                    + " yourself.");
        }
        if (!phase.equals(opened.get("phase"))) {
            throw refused(Reason.MALFORMED, phase.equals("start")
                    ? "This is a site choice, not a callback: pass it to chooseSite."
                    : "This is a callback's state, not a site choice: pass it to complete.");
        }
        if (opened.kept().used()) {
            throw refused(Reason.REUSED, "This connection attempt was already used; each one completes once. Start"
                    + " connecting again.");
        }
        if (!opened.kept().expiresAt().isAfter(now())) {
            throw refused(Reason.EXPIRED, "This connection attempt expired (it is valid for "
                    + STATE_LIFETIME.toMinutes() + " minutes); start connecting again.");
        }
    }

    private void take(ConnectionStates.Opened opened) {
        if (!states().take(opened.key(), now())) {
            boolean expired = !opened.kept().expiresAt().isAfter(now());
            throw refused(expired ? Reason.EXPIRED : Reason.REUSED, expired
                    ? "This connection attempt expired; start connecting again."
                    : "This connection attempt was already used; each one completes once. Start connecting again.");
        }
    }

    private ConnectionStates states() {
        if (states == null) {
            throw new UnsupportedOperationException("connecting accounts needs a store with the "
                    + ConnectionStateStore.class.getName() + " capability; " + engine.store().getClass().getName()
                    + " does not implement it");
        }
        return states;
    }

    private static void checkRedirect(URI uri, List<FieldError> errors) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        boolean loopback = "127.0.0.1".equals(host) || "[::1]".equals(host) || "localhost".equals(host);
        if (!uri.isAbsolute() || host == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null
                || uri.getRawQuery() != null || !(scheme.equals("https") || (scheme.equals("http") && loopback))) {
            errors.add(new FieldError("redirectUri", Codes.INVALID_URL, "the redirect URI must be an absolute https"
                    + " URL (or http on 127.0.0.1, [::1] or localhost) without user-info, query or fragment"));
        }
    }

    private static String defaultName(CredentialType type, String accountName, ConnectionResult.Site site) {
        String n = type.displayName() + ": " + accountName + (site != null ? " (" + site.name() + ")" : "");
        n = n.replaceAll("\\p{Cntrl}", " ").strip();
        return n.length() > Validator.MAX_NAME ? n.substring(0, Validator.MAX_NAME) : n;
    }

    private String newVerifier() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The PKCE S256 challenge (RFC 7636 section 4.2). */
    static String challenge(String verifier) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private VerificationContext context() {
        Instant deadline = engine.clock().instant().plus(timeout);
        return new VerificationContext() {
            @Override
            public java.net.http.HttpClient httpClient() {
                return engine.httpClient();
            }

            @Override
            public Clock clock() {
                return engine.clock();
            }

            @Override
            public Instant deadline() {
                return deadline;
            }

            @Override
            public UrlPolicy urlPolicy() {
                return urlPolicy;
            }

            @Override
            public boolean storeRefreshedSecrets(Map<String, Secret> secrets) {
                throw new UnsupportedOperationException("a connection flow returns its secrets; the manager stores them");
            }
        };
    }

    private static ConnectionRefusedException refused(Reason reason, String message) {
        return new ConnectionRefusedException(reason, message);
    }

    private static void put(Map<String, char[]> values, String key, String value) {
        values.put(key, value.toCharArray());
    }

    private static void wipe(Map<String, char[]> values) {
        values.values().forEach(v -> java.util.Arrays.fill(v, '\0'));
    }

    private Instant now() {
        return engine.clock().instant().truncatedTo(ChronoUnit.MICROS);
    }
}
