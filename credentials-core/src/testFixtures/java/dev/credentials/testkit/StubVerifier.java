package dev.credentials.testkit;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * A verifier whose answers a test scripts: a fixed result, a queue of results, or a function of the context and the
 * material. It counts its calls. Thread-safe. Unscripted, it answers VERIFIED.
 */
public final class StubVerifier implements Verifier {
    private final String typeId;
    private final AtomicInteger calls = new AtomicInteger();
    private final Deque<VerificationResult> queued = new ArrayDeque<>();
    private BiFunction<VerificationContext, CredentialMaterial, VerificationResult> answer =
            (ctx, m) -> VerificationResult.verified("The stub accepted the credential.");

    /** A stub for {@link TestCredentialType}. */
    public StubVerifier() {
        this(TestCredentialType.ID);
    }

    /**
     * A stub for the type {@code typeId}.
     *
     * @param typeId the type id
     */
    public StubVerifier(String typeId) {
        this.typeId = Objects.requireNonNull(typeId, "typeId");
    }

    @Override
    public String typeId() {
        return typeId;
    }

    /**
     * Answers {@code result} from now on.
     *
     * @param result the result
     * @return this stub
     */
    public synchronized StubVerifier willReturn(VerificationResult result) {
        queued.clear();
        answer = (ctx, m) -> result;
        return this;
    }

    /**
     * Answers these results once each, in order, before the standing answer.
     *
     * @param results the results
     * @return this stub
     */
    public synchronized StubVerifier thenReturn(VerificationResult... results) {
        queued.addAll(java.util.List.of(results));
        return this;
    }

    /**
     * Answers with {@code function} from now on.
     *
     * @param function the function
     * @return this stub
     */
    public synchronized StubVerifier willAnswer(
            BiFunction<VerificationContext, CredentialMaterial, VerificationResult> function) {
        queued.clear();
        answer = Objects.requireNonNull(function, "function");
        return this;
    }

    /**
     * How many times {@link #verify} ran.
     *
     * @return how many times {@link #verify} ran
     */
    public int calls() {
        return calls.get();
    }

    @Override
    public VerificationResult verify(VerificationContext context, CredentialMaterial material) {
        calls.incrementAndGet();
        BiFunction<VerificationContext, CredentialMaterial, VerificationResult> a;
        synchronized (this) {
            VerificationResult next = queued.poll();
            if (next != null) {
                return next;
            }
            a = answer;
        }
        return a.apply(context, material);
    }
}
