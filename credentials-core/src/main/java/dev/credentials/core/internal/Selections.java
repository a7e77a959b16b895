package dev.credentials.core.internal;

import dev.credentials.api.Access;
import dev.credentials.api.ConnectRequest;
import dev.credentials.api.ConnectionStart;
import dev.credentials.api.CredentialEvent;
import dev.credentials.api.CredentialSelector;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.Principal;
import dev.credentials.api.Selection;
import dev.credentials.api.SelectionRule;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.CredentialStore;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.api.spi.StoreQuery;
import dev.credentials.api.spi.StoredCredential;
import dev.credentials.api.spi.Visibility;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which credential serves a run: {@code CredentialManager.select}. Tries the selector's rules in order; within a rule
 * keeps the credentials of the selector's types that the subject may use ({@link AccessControl#rights}, so the
 * personal rule applies), that are not FAILED, whose type is installed and that may reach the selector's target;
 * and picks VERIFIED before UNVERIFIED, then the most recently checked, then the smallest id. Every answer is an event
 * and an audit record. Reads only: never changes a credential. Thread-safe.
 */
public final class Selections {
    private static final Logger LOG = LoggerFactory.getLogger(Selections.class);
    private static final int PAGE = 200;

    /** VERIFIED first, then the latest check (none last), then the id, in binary order. */
    static final Comparator<StoredCredential> ORDER = Comparator
            .comparing((StoredCredential r) -> r.status() == CredentialStatus.VERIFIED ? 0 : 1)
            .thenComparing(Selections::checkedAt, Comparator.nullsLast(Comparator.reverseOrder()))
            .thenComparing(r -> r.id().value());

    private final CredentialStore store;
    private final Installed installed;
    private final Events events;
    private final Auditing auditing;
    private final Clock clock;
    private final Lifecycle lifecycle;
    private volatile Starter starter;

    /** Starts a connection for the user a run serves, when nothing serves it and the selector names a request. */
    @FunctionalInterface
    public interface Starter {
        /**
         * Starts a connection as if {@code user} had called {@code connections().start}.
         *
         * @param user the served user, as a user subject
         * @param request the selector's connect request
         * @param typeIds the selector's types, one of which the connection must be
         * @return the start
         */
        ConnectionStart start(Subject user, ConnectRequest request, Set<String> typeIds);
    }

    public Selections(CredentialStore store, Installed installed, Events events, Auditing auditing, Clock clock,
                      Lifecycle lifecycle) {
        this.store = store;
        this.installed = installed;
        this.events = events;
        this.auditing = auditing;
        this.clock = clock;
        this.lifecycle = lifecycle;
    }

    /** Sets the hook that starts connections for {@link CredentialSelector#connectWith()}; set once, at build. */
    public void starter(Starter starter) {
        this.starter = starter;
    }

    /** See {@code CredentialManager.select}. */
    public Selection select(Subject subject, CredentialSelector selector) {
        lifecycle.ensureOpen();
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(selector, "selector");
        Optional<Principal> served = served(subject);
        for (SelectionRule rule : selector.rules()) {
            Optional<StoredCredential> best = best(subject, selector, rule, served);
            if (best.isPresent()) {
                StoredCredential r = best.get();
                auditing.selection(subject, r.id(), rule.name());
                events.emit(() -> new CredentialEvent.Selected(UUID.randomUUID(), subject.tenant(), r.id(),
                        r.version(), subject.actor(), now(), subject.onBehalfOf(), rule));
                return new Selection.Selected(Edits.toCredential(r), rule);
            }
        }
        auditing.selection(subject, null, null);
        events.emit(() -> new CredentialEvent.NothingSelected(UUID.randomUUID(), subject.tenant(), null, 0,
                subject.actor(), now(), served, selector.typeIds()));
        Optional<ConnectionStart> start = Optional.empty();
        if (served.isPresent() && selector.connectWith().isPresent()) {
            Starter s = starter;
            if (s == null) {
                throw new UnsupportedOperationException("this manager cannot start connections");
            }
            // Bound to the served user, as if that user had called start: only that user can complete it.
            Subject user = subject.actor().equals(served.get()) ? subject
                    : Subject.user(subject.tenant(), served.get().id());
            start = Optional.of(s.start(user, selector.connectWith().get(), selector.typeIds()));
        }
        return new Selection.AuthorizationRequired(served, selector.typeIds(), selector.target(), start);
    }

    /** The user a run serves: the on-behalf-of user, or the actor itself when it is a user. */
    private static Optional<Principal> served(Subject subject) {
        return subject.actor().kind() == Principal.Kind.USER ? Optional.of(subject.actor()) : subject.onBehalfOf();
    }

    private Optional<StoredCredential> best(Subject subject, CredentialSelector selector, SelectionRule rule,
                                            Optional<Principal> served) {
        List<StoredCredential> found = new ArrayList<>();
        switch (rule) {
            case OWN_CONNECTION -> served.ifPresent(user -> collect(subject, selector, Visibility.anyOf(Set.of(user)),
                    Optional.empty(), r -> r.personal() && r.owner().equals(user), found));
            case SHARED_WITH_AGENT -> {
                for (Principal agent : ofKind(subject, Principal.Kind.AGENT)) {
                    collect(subject, selector, Visibility.anyOf(Set.of(agent)), Optional.of(agent),
                            r -> r.shares().contains(new Share(agent, Access.USE)), found);
                }
            }
            case SHARED_WITH_TOOL -> {
                for (Principal tool : ofKind(subject, Principal.Kind.TOOL)) {
                    collect(subject, selector, Visibility.anyOf(Set.of(tool)), Optional.of(tool),
                            r -> r.shares().contains(new Share(tool, Access.USE)), found);
                }
            }
            case TENANT_DEFAULT -> collect(subject, selector, Permissions.visibility(subject), Optional.empty(),
                    StoredCredential::tenantDefault, found);
        }
        return found.stream().min(ORDER);
    }

    /**
     * The agents (or tools) a rule looks at: the actor when it is one, else, for agents, those a tool stands for. A
     * tool's memberships never make it stand for another tool here: {@code SHARED_WITH_TOOL} means the calling tool.
     */
    private static List<Principal> ofKind(Subject subject, Principal.Kind kind) {
        if (subject.actor().kind() == kind) {
            return List.of(subject.actor());
        }
        if (kind == Principal.Kind.AGENT && subject.actor().kind() == Principal.Kind.TOOL) {
            return subject.memberships().stream().filter(p -> p.kind() == kind).toList();
        }
        return List.of();
    }

    /** Adds to {@code out} every record of the selector's types, in {@code visibility}, that fits and may serve. */
    private void collect(Subject subject, CredentialSelector selector, Visibility visibility,
                         Optional<Principal> sharedWith, Predicate<StoredCredential> fits, List<StoredCredential> out) {
        for (String typeId : selector.typeIds()) {
            Optional<CredentialType> type = installed.type(typeId);
            if (type.isEmpty()) {
                continue; // a credential of a type that is not installed cannot be resolved or used
            }
            StoreQuery q = new StoreQuery(visibility, Optional.of(typeId), Optional.empty(), sharedWith,
                    Optional.empty(), Optional.empty(), PAGE);
            while (true) {
                List<StoredCredential> page = store.list(subject.tenant(), q);
                for (StoredCredential r : page) {
                    if (r.tenant().equals(subject.tenant()) && r.typeId().equals(typeId) && fits.test(r)
                            && r.status() != CredentialStatus.FAILED
                            && AccessControl.rights(subject, r).contains(Access.USE)
                            && reaches(type.get(), r, selector.target())) {
                        out.add(r);
                    }
                }
                if (page.size() < PAGE) {
                    break;
                }
                StoredCredential last = page.get(page.size() - 1);
                q = q.after(new StoreQuery.Cursor(last.sortKey(), last.id()));
            }
        }
    }

    /** True when there is no target, or the type lets this credential send its secrets to the target's origin. */
    private static boolean reaches(CredentialType type, StoredCredential r, Optional<URI> target) {
        if (target.isEmpty()) {
            return true;
        }
        String wanted = Uses.origin(target.get());
        Set<URI> targets;
        try {
            targets = type.allowedTargets(r.config());
        } catch (RuntimeException e) {
            // The type's own failure; its message may quote a value, so only the class is logged. The credential
            // cannot serve a target it cannot name.
            LOG.warn("Credential type {} failed to list the targets of credential {} ({}); it was not selected",
                    type.id(), r.id(), e.getClass().getName());
            return false;
        }
        return targets != null && targets.stream().map(Uses::origin).anyMatch(wanted::equals);
    }

    private static Instant checkedAt(StoredCredential r) {
        VerificationResult last = r.verification().lastResult();
        return last == null ? null : last.checkedAt();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
