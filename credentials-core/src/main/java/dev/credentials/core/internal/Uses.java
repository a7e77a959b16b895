package dev.credentials.core.internal;

import dev.credentials.api.AuditAction;
import dev.credentials.api.AuditRecord;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialEvent.Use;
import dev.credentials.api.CredentialException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Subject;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.UrlPolicy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** A tool's use of a credential it holds USE on: its values, or a request signed with it. Thread-safe. */
public final class Uses {
    private final Clock clock;
    private final Installed installed;
    private final AccessControl access;
    private final Sealing sealing;
    private final Events events;
    private final Auditing auditing;
    private final UrlPolicy urlPolicy;
    private final Tokens tokens;

    public Uses(Clock clock, Installed installed, AccessControl access, Sealing sealing, Events events,
                UrlPolicy urlPolicy, Auditing auditing, Tokens tokens) {
        this.clock = clock;
        this.installed = installed;
        this.access = access;
        this.sealing = sealing;
        this.events = events;
        this.urlPolicy = urlPolicy;
        this.auditing = auditing;
        this.tokens = tokens;
    }

    /** See {@code CredentialManager.resolve}. */
    public CredentialMaterial resolve(Subject subject, CredentialId id) {
        AccessControl.Visible v = access.visible(subject, id, Use.RESOLVE);
        access.requireUse(subject, v, Use.RESOLVE);
        requireAdminForApp(subject, v, Use.RESOLVE);
        CredentialType type = installed.require(v.record().typeId());
        CredentialMaterial material;
        try {
            material = tokens.material(subject, v.record(), type, false);
        } catch (CredentialException e) {
            throw e; // the manager's own, whose messages never hold a value (a type's are wrapped in material)
        } catch (RuntimeException e) {
            throw TypeCode.failure(type, id, "resolve", e);
        }
        auditing.use(subject, id, AuditAction.RESOLVED, AuditRecord.OK);
        events.emit(() -> new CredentialEvent.Resolved(UUID.randomUUID(), subject.tenant(), id, v.record().version(),
                subject.actor(), now(), subject.memberships(), Use.RESOLVE));
        return material;
    }

    /** See {@code CredentialManager.authenticate}. */
    public HttpRequest authenticate(Subject subject, CredentialId id, HttpRequest request) {
        Objects.requireNonNull(request, "request");
        AccessControl.Visible v = access.visible(subject, id, Use.AUTHENTICATE);
        access.requireUse(subject, v, Use.AUTHENTICATE);
        requireAdminForApp(subject, v, Use.AUTHENTICATE);
        CredentialType type = installed.require(v.record().typeId());
        URI target = request.uri();
        String origin = origin(target);
        Set<URI> targets = TypeCode.run(type, id, "list the targets of", () -> type.allowedTargets(v.record().config()));
        boolean listed = origin != null && targets.stream().map(Uses::origin).anyMatch(origin::equals);
        if (!listed) {
            throw access.deny(subject, v, Use.AUTHENTICATE, "the request's host is not a target of this credential");
        }
        UrlPolicy.Decision decision = urlPolicy.check(target);
        if (!decision.allowed()) {
            throw access.deny(subject, v, Use.AUTHENTICATE, "the URL policy refused the target: " + decision.reason());
        }
        HttpRequest.Builder copy = HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("authorization"));
        HttpRequest signed;
        try (CredentialMaterial material = tokens.material(subject, v.record(), type, true)) {
            // The JDK's header check quotes the value it refuses ("invalid header value: ..."), and type code may do
            // the same: nothing thrown from here may leave the manager as it is.
            signed = TypeCode.run(type, id, "authenticate a request with", () -> {
                type.authenticate(material, copy);
                return copy.build();
            });
        }
        auditing.use(subject, id, AuditAction.AUTHENTICATED, AuditRecord.OK);
        events.emit(() -> new CredentialEvent.Resolved(UUID.randomUUID(), subject.tenant(), id, v.record().version(),
                subject.actor(), now(), subject.memberships(), Use.AUTHENTICATE));
        return signed;
    }

    /** An OAuth app's values are for the core and tenant admins only: no connection user or tool reads them. */
    private void requireAdminForApp(Subject subject, AccessControl.Visible v, Use use) {
        if (installed.isAppType(v.record().typeId()) && !subject.isAdmin()) {
            throw access.deny(subject, v, use, "an OAuth app is used by the manager for connections; only a tenant"
                    + " admin may read it");
        }
    }

    /** {@code scheme://host:port}, lower case, default ports made explicit; null when the URI has no host. */
    public static String origin(URI uri) {
        if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
            return null;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return scheme + "://" + host + ":" + port;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
