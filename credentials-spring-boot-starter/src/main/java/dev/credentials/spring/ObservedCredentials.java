package dev.credentials.spring;

import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.Subject;
import dev.credentials.api.VerificationResult;
import dev.credentials.core.CredentialManager;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.net.http.HttpRequest;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@link CredentialManager#verify}, {@link CredentialManager#resolve} and {@link CredentialManager#authenticate} inside
 * Micrometer {@link Observation}s, so each becomes a timer (and a span when tracing is on). Platform code that hands
 * credentials to tools calls these instead of the manager's. Tags are low-cardinality only: the credential type id (an
 * installed type), the outcome and the failure reason; never a tenant, a credential id, a principal or a message.
 *
 * <p>{@link #verify} and {@link #authenticate} read the credential once more before the call, to learn its type for
 * the tag; a caller that cannot see it is tagged {@code not_found} and the manager is not called.
 *
 * <p>Thread-safe, like the manager.
 */
public final class ObservedCredentials {
    /** The observation name of a verification. */
    public static final String VERIFY = "credentials.verify";
    /** The observation name of a resolve. */
    public static final String RESOLVE = "credentials.resolve";
    /** The observation name of an authenticate. */
    public static final String AUTHENTICATE = "credentials.authenticate";

    /** Tag: the credential's type id, or {@code unknown} when the caller could not see the credential. */
    public static final String TYPE = "credentials.type";
    /**
     * Tag: {@code verified}, {@code failed} or {@code inconclusive} for a verification; {@code allowed} for a resolve
     * or authenticate that handed out the credential; {@code denied}, {@code not_found} or {@code error} otherwise.
     */
    public static final String OUTCOME = "credentials.outcome";
    /** Tag: the {@link VerificationResult.FailureReason} in lower case, or {@code none}. */
    public static final String REASON = "credentials.reason";

    private static final String UNKNOWN = "unknown";
    private static final String NONE = "none";

    private final CredentialManager manager;
    private final ObservationRegistry registry;

    /**
     * Observes {@code manager}'s calls in {@code registry}.
     *
     * @param manager the manager
     * @param registry the registry
     */
    public ObservedCredentials(CredentialManager manager, ObservationRegistry registry) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * The manager underneath, for everything that is not observed.
     *
     * @return the manager underneath, for everything that is not observed
     */
    public CredentialManager manager() {
        return manager;
    }

    /**
     * {@link CredentialManager#verify}, observed as {@value #VERIFY}.
     *
     * @param subject the subject
     * @param id the id
     * @return the manager's result
     */
    public VerificationResult verify(Subject subject, CredentialId id) {
        return observe(VERIFY, () -> manager.get(subject, id).typeId(), () -> manager.verify(subject, id),
                (o, result) -> o.lowCardinalityKeyValue(OUTCOME, lower(result.outcome()))
                        .lowCardinalityKeyValue(REASON, result.reason() == null ? NONE : lower(result.reason())));
    }

    /**
     * {@link CredentialManager#resolve}, observed as {@value #RESOLVE}. Close the material after use.
     *
     * @param subject the subject
     * @param id the id
     * @return the manager's result
     */
    public CredentialMaterial resolve(Subject subject, CredentialId id) {
        return observe(RESOLVE, () -> UNKNOWN, () -> manager.resolve(subject, id),
                (o, material) -> o.lowCardinalityKeyValue(TYPE, material.typeId())
                        .lowCardinalityKeyValue(OUTCOME, "allowed"));
    }

    /**
     * {@link CredentialManager#authenticate}, observed as {@value #AUTHENTICATE}.
     *
     * @param subject the subject
     * @param id the id
     * @param request the request
     * @return the manager's result
     */
    public HttpRequest authenticate(Subject subject, CredentialId id, HttpRequest request) {
        return observe(AUTHENTICATE, () -> manager.get(subject, id).typeId(),
                () -> manager.authenticate(subject, id, request),
                (o, signed) -> o.lowCardinalityKeyValue(OUTCOME, "allowed"));
    }

    private interface Outcome<T> {
        void tag(Observation observation, T value);
    }

    @SuppressWarnings("try") // the scope is opened for its side effect: the observation is current in the call
    private <T> T observe(String name, Supplier<String> type, Supplier<T> call, Outcome<T> outcome) {
        Observation observation = Observation.createNotStarted(name, registry)
                .lowCardinalityKeyValue(TYPE, UNKNOWN)
                .lowCardinalityKeyValue(OUTCOME, "error")
                .lowCardinalityKeyValue(REASON, NONE)
                .start();
        try (Observation.Scope ignored = observation.openScope()) {
            observation.lowCardinalityKeyValue(TYPE, type.get());
            T value = call.get();
            outcome.tag(observation, value);
            return value;
        } catch (CredentialNotFoundException e) {
            observation.lowCardinalityKeyValue(OUTCOME, "not_found");
            throw e;
        } catch (AccessDeniedException e) {
            observation.lowCardinalityKeyValue(OUTCOME, "denied");
            throw e;
        } catch (RuntimeException e) {
            observation.error(e);
            throw e;
        } finally {
            observation.stop();
        }
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
