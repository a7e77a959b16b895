package dev.credentials.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.VerificationResult.Outcome;
import dev.credentials.api.spi.NegativeControl;
import dev.credentials.api.spi.Redactor;
import dev.credentials.api.spi.Verifier;
import dev.credentials.testkit.StubHttpServer.Answer;
import dev.credentials.testkit.StubHttpServer.Request;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link Verifier} must do whatever the third party: never report VERIFIED for an answer that does not
 * prove a real identity, never report FAILED for a transient error, never follow a redirect, and never quote a body
 * or a secret in its message. Subclass it in the verifier's module and say how to point the verifier at a loopback
 * stub, what material to verify, and which answers make up a real identity.
 *
 * <p>Each test starts a {@link StubHttpServer} that gives the same canned answer to every request, so a verifier
 * that makes several calls meets the answer on its first one. Verifications run as the manager runs them, through
 * {@link NegativeControl#verify}; for a verifier that declares a {@link NegativeControl}, the {@code negativeControl}
 * tests check that VERIFIED requires the altered credential to be refused (they are skipped for the others).
 */
public abstract class VerifierContract {
    /** For the verifier's test class. */
    protected VerifierContract() {}

    /** The stub the verifier talks to. */
    protected StubHttpServer stub;
    /** A second server, the target of redirects; it must never be called. */
    protected StubHttpServer elsewhere;
    /** The least deadline of a verification against a stub that answers. */
    protected static final Duration ANSWERED_DEADLINE = Duration.ofSeconds(20);
    /** The verification's clock; it stands still, so times the verifier computes can be compared exactly. */
    protected final TestClock clock = new TestClock(Instant.now());

    /**
     * A verifier whose every outbound call goes to {@code stubBase} ({@code http://127.0.0.1:port}).
     *
     * @param stubBase the stub base
     * @return a verifier whose every outbound call goes to {@code stubBase} ({@code http://127.0.0.1:port})
     */
    protected abstract Verifier verifier(URI stubBase);

    /**
     * Fresh material to verify; called once per verification.
     *
     * @return new material, closed by the contract after use
     */
    protected abstract CredentialMaterial material();

    /**
     * Answers, by request, that make up a real, active identity: the verifier must report VERIFIED.
     *
     * @return the answers of a real identity, by request
     */
    protected abstract Function<Request, Answer> identity();

    /**
     * The deadline of a verification whose stub never answers; those tests wait this long. Every other verification
     * gets at least {@link #ANSWERED_DEADLINE}, so that a loaded machine cannot turn an answer into a timeout.
     *
     * @return the deadline of a verification whose stub never answers; those tests wait this long
     */
    protected Duration timeout() {
        return Duration.ofSeconds(2);
    }

    @BeforeEach
    void startStubs() {
        stub = new StubHttpServer();
        elsewhere = new StubHttpServer().answer(Answer.json(200, "{}"));
    }

    @AfterEach
    void stopStubs() {
        stub.close();
        elsewhere.close();
    }

    /**
     * Verifies {@link #material()} against the stub answering with {@code answers}.
     *
     * @param answers the answers
     * @return the verifier's result
     */
    protected VerificationResult verify(Function<Request, Answer> answers) {
        stub.answer(answers);
        return verifyAt(stub.base(), stub.port(), answered());
    }

    /** As {@link #verify}, with the {@link #timeout()} deadline, for a stub that may never answer. */
    private VerificationResult verifyHanging(Function<Request, Answer> answers) {
        stub.answer(answers);
        return verifyAt(stub.base(), stub.port(), timeout());
    }

    private Duration answered() {
        return timeout().compareTo(ANSWERED_DEADLINE) > 0 ? timeout() : ANSWERED_DEADLINE;
    }

    private VerificationResult verifyAt(URI base, int port, Duration deadline) {
        TestVerificationContext context = TestVerificationContext.loopback(clock, deadline, port, stub.port(),
                elsewhere.port());
        try (CredentialMaterial m = material()) {
            VerificationResult r = NegativeControl.verify(verifier(base), context, m);
            assertNotNull(r, "a verifier must always return a result");
            return r;
        }
    }

    /** A real identity is verified. */
    @Test
    public void aRealIdentityIsVerified() {
        VerificationResult r = verify(identity());
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
    }

    static Stream<Arguments> transientAnswers() {
        return Stream.of(
                Arguments.of("429 with Retry-After", Answer.json(429, "{}").header("Retry-After", "30")),
                Arguments.of("429 without Retry-After", Answer.json(429, "{}")),
                Arguments.of("500", Answer.json(500, "{\"message\":\"oops\"}")),
                Arguments.of("502", Answer.status(502)),
                Arguments.of("503 with Retry-After", Answer.status(503).header("Retry-After", "5")),
                Arguments.of("504", Answer.status(504)));
    }

    /**
     * A transient error is never failed.
     *
     * @param what the case, as the test report names it
     * @param answer the answer
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("transientAnswers")
    public void aTransientErrorIsNeverFailed(String what, Answer answer) {
        VerificationResult r = verify(req -> answer);
        assertEquals(Outcome.INCONCLUSIVE, r.outcome(), what + ": " + r);
    }

    /** A rate limit carries when to try again. */
    @Test
    public void aRateLimitCarriesWhenToTryAgain() {
        VerificationResult r = verify(req -> Answer.json(429, "{}").header("Retry-After", "120"));
        assertEquals(FailureReason.RATE_LIMITED, r.reason(), r.message());
        assertNotNull(r.retryAfter(), "Retry-After must be passed on");
        assertEquals(clock.instant().plusSeconds(120), r.retryAfter());
    }

    /** A server that never answers times out inconclusive. */
    @Test
    public void aServerThatNeverAnswersTimesOutInconclusive() {
        long start = System.nanoTime();
        VerificationResult r = verifyHanging(req -> Answer.hang());
        assertEquals(Outcome.INCONCLUSIVE, r.outcome(), r.message());
        // The stub holds the request for 30 s; a verifier that ignored its deadline would wait for that. The margin is
        // wide so that a loaded machine cannot fail a verifier that keeps its deadline.
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(timeout().plusSeconds(15)) < 0,
                "the verifier must respect the deadline");
    }

    /**
     * A closed port is unreachable not failed.
     *
     * @throws Exception when the code under test fails unexpectedly
     */
    @Test
    public void aClosedPortIsUnreachableNotFailed() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        VerificationResult r = verifyAt(URI.create("http://127.0.0.1:" + closed), closed, answered());
        assertEquals(Outcome.INCONCLUSIVE, r.outcome(), r.message());
    }

    /**
     * The answer of a third party that refuses a wrong credential; used for the altered one of a negative control.
     *
     * @return the answer of a third party that refuses a wrong credential; used for the altered one of a negative
     *     control
     */
    protected Answer refusal() {
        return Answer.json(401, "{\"error\":{\"message\":\"Invalid API key\",\"type\":\"invalid_request_error\","
                + "\"code\":\"invalid_api_key\"}}");
    }

    /**
     * True when {@code request} carries one of the material's secrets in a header, raw or in base64 or Basic form.
     *
     * @param request the request
     * @return true when {@code request} carries one of the material's secrets in a header, raw or in base64 or Basic
     *     form
     */
    protected boolean carriesTheSecret(Request request) {
        Redactor redactor;
        try (CredentialMaterial m = material()) {
            redactor = Redactor.of(m);
        }
        for (String value : request.headers().values()) {
            if (!redactor.redact(value).equals(value)) {
                return true;
            }
        }
        return false;
    }

    private boolean declaresControl() {
        return verifier(stub.base()).negativeControl().isPresent();
    }

    /** The identity answers for the real credential; {@code control} for every request that does not carry it. */
    private Function<Request, Answer> realThen(Function<Request, Answer> control) {
        Function<Request, Answer> real = identity();
        return req -> carriesTheSecret(req) ? real.apply(req) : control.apply(req);
    }

    /** Negative control aserver that accepts any key is never verified. */
    @Test
    public void negativeControlAServerThatAcceptsAnyKeyIsNeverVerified() {
        assumeTrue(declaresControl(), "the verifier declares no negative control");
        Function<Request, Answer> real = identity();
        Map<String, Answer> given = new ConcurrentHashMap<>();
        VerificationResult r = verify(req -> {
            if (carriesTheSecret(req)) {
                Answer a = real.apply(req);
                given.put(req.path(), a);
                return a;
            }
            return given.getOrDefault(req.path(), Answer.status(404));
        });
        assertEquals(FailureReason.NOT_VERIFIABLE, r.reason(), r.message());
        assertTrue(stub.requests().stream().anyMatch(req -> !carriesTheSecret(req)),
                "the control must be sent with an altered credential");
    }

    /** Negative control arefused altered key confirms the real one. */
    @Test
    public void negativeControlARefusedAlteredKeyConfirmsTheRealOne() {
        assumeTrue(declaresControl(), "the verifier declares no negative control");
        VerificationResult r = verify(realThen(req -> refusal()));
        assertEquals(Outcome.VERIFIED, r.outcome(), r.message());
        List<Request> controls = stub.requests().stream().filter(req -> !carriesTheSecret(req)).toList();
        assertFalse(controls.isEmpty(), "a VERIFIED result requires a control that was refused");
        List<Request> reals = stub.requests().stream().filter(this::carriesTheSecret).toList();
        for (Request c : controls) {
            assertTrue(reals.stream().anyMatch(real -> real.path().equals(c.path())
                            && real.headers().keySet().equals(c.headers().keySet())),
                    "the control must be the same call with an altered credential, not a call without one: " + c);
        }
    }

    static Stream<Arguments> controlWithoutAnswer() {
        return Stream.of(
                Arguments.of("500", Answer.json(500, "{}")),
                Arguments.of("502 page", Answer.status(502).body("text/html", "<html><body>502 Bad Gateway</body></html>")),
                Arguments.of("503 with Retry-After", Answer.status(503).header("Retry-After", "30")),
                Arguments.of("429", Answer.json(429, "{}").header("Retry-After", "20")),
                Arguments.of("a reset connection", Answer.reset()));
    }

    /**
     * Negative control that gets no answer leaves the question open.
     *
     * @param what the case, as the test report names it
     * @param answer the answer
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("controlWithoutAnswer")
    public void negativeControlThatGetsNoAnswerLeavesTheQuestionOpen(String what, Answer answer) {
        assumeTrue(declaresControl(), "the verifier declares no negative control");
        VerificationResult r = verify(realThen(req -> answer));
        assertEquals(Outcome.INCONCLUSIVE, r.outcome(), what + ": " + r.message());
        assertNotEquals(FailureReason.NOT_VERIFIABLE, r.reason(), what + ": a later check may settle it: " + r.message());
    }

    /** Negative control that hangs ends at the deadline. */
    @Test
    public void negativeControlThatHangsEndsAtTheDeadline() {
        assumeTrue(declaresControl(), "the verifier declares no negative control");
        VerificationResult r = verifyHanging(realThen(req -> Answer.hang()));
        assertEquals(Outcome.INCONCLUSIVE, r.outcome(), r.message());
    }

    static Stream<Arguments> nonIdentities() {
        return Stream.of(
                Arguments.of("200 with an empty object", Answer.json(200, "{}")),
                Arguments.of("200 with an empty array", Answer.json(200, "[]")),
                Arguments.of("200 with no body", Answer.status(200)),
                Arguments.of("200 with a web page", Answer.status(200).body("text/html", "<html><body>Log in</body></html>")),
                Arguments.of("200 with an anonymous user", Answer.json(200,
                        "{\"type\":\"anonymous\",\"displayName\":\"Anonymous\",\"accountType\":\"\"}")),
                Arguments.of("200 with malformed JSON", Answer.json(200, "{\"accountId\":")),
                Arguments.of("401", Answer.json(401, "{\"message\":\"Client must be authenticated\"}")),
                Arguments.of("403", Answer.json(403, "{\"message\":\"Forbidden\"}")),
                Arguments.of("404", Answer.json(404, "{\"message\":\"Not found\"}")));
    }

    /**
     * An answer that proves no identity is never verified.
     *
     * @param what the case, as the test report names it
     * @param answer the answer
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("nonIdentities")
    public void anAnswerThatProvesNoIdentityIsNeverVerified(String what, Answer answer) {
        VerificationResult r = verify(req -> answer);
        assertNotEquals(Outcome.VERIFIED, r.outcome(), what + ": " + r);
    }

    /** A redirect is not followed and nothing is sent on. */
    @Test
    public void aRedirectIsNotFollowedAndNothingIsSentOn() {
        URI target = elsewhere.base().resolve("/landing");
        VerificationResult r = verify(req -> Answer.status(302).header("Location", target.toString()));
        assertNotEquals(Outcome.VERIFIED, r.outcome(), r.message());
        assertEquals(List.of(), elsewhere.requests(), "the redirect target must not be called");
    }

    /** No request carries asecret in its url. */
    @Test
    public void noRequestCarriesASecretInItsUrl() {
        verify(identity());
        List<String> secrets = secretValues();
        for (Request req : stub.requests()) {
            for (String s : secrets) {
                assertFalse(req.path().contains(s), "a secret was put in a URL: " + req.method() + " " + req.path());
            }
        }
    }

    /**
     * A message never quotes the body or asecret.
     *
     * @param status the status
     */
    @ParameterizedTest(name = "status {0}")
    @MethodSource("echoStatuses")
    public void aMessageNeverQuotesTheBodyOrASecret(int status) {
        List<String> secrets = secretValues();
        String echo = "BODY-MARKER-7f3e " + String.join(" ", secrets);
        VerificationResult r = verify(req -> Answer.json(status,
                "{\"message\":\"" + echo + "\",\"error\":\"" + echo + "\",\"errorMessages\":[\"" + echo + "\"]}"));
        assertFalse(r.message().contains("BODY-MARKER"), "the message quotes the body: " + r.message());
        for (String s : secrets) {
            assertFalse(r.message().contains(s), "the message quotes a secret: " + r.message());
        }
    }

    static Stream<Integer> echoStatuses() {
        return Stream.of(200, 400, 401, 403, 404, 429, 500);
    }

    private List<String> secretValues() {
        List<String> values = new ArrayList<>();
        try (CredentialMaterial m = material()) {
            for (String name : m.secretNames()) {
                Secret s = m.requireSecret(name);
                if (s.length() >= 4) {
                    values.add(s.reveal());
                }
            }
        }
        return values;
    }
}
