package dev.credentials.models.internal;

import dev.credentials.integration.ThirdPartyJson;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.Redactor;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.integration.Endpoints;
import dev.credentials.integration.VerifierHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shape every model-provider check shares: one GET of a model list; transport problems, redirects and generic
 * statuses handled alike; the provider's own error codes read before any status fallback (OpenAI scope errors arrive
 * as 401, Anthropic billing as 400, OpenAI billing as 429). Logs only the provider, the status, the error type, code
 * and reason and the request id, each redacted like a message and kept only when it is a plain identifier: provider
 * bodies and headers can echo the key. Each public verifier of this module holds one as a private part (composition,
 * so no public type exposes this one). Not public API.
 */
public abstract class ModelVerifier implements Verifier {
    private static final Logger LOG = LoggerFactory.getLogger(ModelVerifier.class);
    /** A wait longer than this is a quota, not a rate limit (the OpenAI SDK will not wait longer either). */
    protected static final Duration MAX_TRANSIENT_WAIT = Duration.ofSeconds(120);

    /**
     * How much of an answer is read: error bodies are small, and a model list is judged by its first entry, so an
     * aggregator's list of several megabytes is read only this far.
     */
    static final int READ_LIMIT = 256 * 1024;

    private final Endpoints endpoints;

    /**
     * A check whose calls go where {@code endpoints} says.
     *
     * @param endpoints where the requests actually go
     */
    protected ModelVerifier(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    /** One request: where, how it is named in messages, and the request with its headers. */
    public record Call(URI target, String label, HttpRequest.Builder request) {}

    /** The provider's name for messages, such as "OpenAI". */
    protected abstract String provider();

    /** The model-list request for this material, or empty when the configuration cannot be checked. */
    protected abstract Call call(CredentialMaterial material);

    /** The provider's own reading of an error body, before the status fallbacks; empty to fall back. */
    protected abstract Optional<VerificationResult> classify(ProviderError error, VerifierHttp.Reply reply, Call call,
                                                             VerificationContext ctx);

    /**
     * The member of a 2xx body that holds the model list ({@code data} for OpenAI's shape, which Anthropic and Azure
     * share); the check reads the list's first entry only.
     */
    protected String listField() {
        return "data";
    }

    /** Whether the target is customer input (a TLS failure then means configuration, not an outage). */
    protected boolean customTarget() {
        return false;
    }

    /** What a call that got no reply means; by default the transport result as it is. */
    protected VerificationResult noReply(VerifierHttp.Exchange ex, Call call) {
        return ex.stop();
    }

    @Override
    public final VerificationResult verify(VerificationContext ctx, CredentialMaterial material) {
        Call call = call(material);
        VerifierHttp.Exchange ex = send(ctx, call);
        if (ex.stopped()) {
            return noReply(ex, call);
        }
        VerifierHttp.Reply reply = ex.reply();
        ProviderError error = reply.ok() ? ProviderError.NONE : ProviderError.of(reply);
        if (LOG.isDebugEnabled()) {
            // Providers echo keys (Gemini the whole key, LiteLLM a part), and a hostile server can put one anywhere.
            Redactor redactor = Redactor.of(material);
            LOG.debug("{} answered {} (type {}, code {}, reason {}), request id {}", provider(), reply.status(),
                    redactor.loggable(error.type()), redactor.loggable(error.code()), redactor.loggable(error.reason()),
                    redactor.loggable(requestId(reply)));
        }
        if (reply.status() >= 300 && reply.status() < 400) {
            return redirected(reply, call);
        }
        if (reply.ok()) {
            if (ThirdPartyJson.startsList(reply.body(), listField())) {
                return VerificationResult.verified(provider() + " accepted the key and listed its models.");
            }
            return customTarget()
                    ? VerificationResult.failed(FailureReason.MISCONFIGURED, call.label() + " did not answer with a"
                            + " model list; check the base URL (it usually ends in /v1).")
                    : VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, provider() + " did not answer"
                            + " with a model list (a proxy or captive portal in between?); nothing was learned.");
        }
        Optional<String> network = VerifierHttp.networkBlock(reply);
        if (network.isPresent()) {
            return VerifierHttp.blockedByNetwork(network.get(), call.label());
        }
        // Only the provider's own error shape judges a key: a page from something in between never does.
        boolean fromApi = VerifierHttp.isJson(reply);
        if (fromApi) {
            Optional<VerificationResult> own = classify(error, reply, call, ctx);
            if (own.isPresent()) {
                return own.get();
            }
        }
        return fallback(reply, call, ctx, fromApi);
    }

    private VerifierHttp.Exchange send(VerificationContext ctx, Call call) {
        return VerifierHttp.send(ctx, endpoints, call.request().GET().header("Accept", "application/json"), call.target(),
                call.label(), customTarget(), READ_LIMIT);
    }

    /**
     * The standard statuses, after the provider had its say.
     *
     * @param fromApi whether the body is JSON, the shape of an API's answer; a page from anything else (a proxy, a
     *     gateway, a firewall) never judges the key
     */
    protected VerificationResult fallback(VerifierHttp.Reply reply, Call call, VerificationContext ctx, boolean fromApi) {
        int s = reply.status();
        Optional<Instant> retry = VerifierHttp.retryAfter(reply, ctx.clock());
        if (s == 429) {
            return rateLimited(retry, ctx);
        }
        if (s == 408) {
            return VerificationResult.inconclusive(FailureReason.TIMEOUT, provider() + " timed out waiting for the"
                    + " request (408); nothing was learned about the key. Try again later.", retry.orElse(null));
        }
        if (s >= 500) {
            return VerificationResult.inconclusive(FailureReason.SERVER_ERROR, provider() + " answered with a server"
                    + " error (" + s + "); nothing was learned about the key.", retry.orElse(null));
        }
        if (s == 404 && customTarget()) {
            return VerificationResult.failed(FailureReason.MISCONFIGURED, call.label() + " has no model list at this"
                    + " address; check the endpoint.");
        }
        boolean challenge = s == 401 && (reply.body().length == 0 || !reply.header("WWW-Authenticate").isEmpty());
        if (!fromApi && !challenge) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, call.label() + " answered " + s
                    + " with a page that did not come from " + provider() + "'s API (a proxy, gateway or firewall in"
                    + " between?); the key was not judged.");
        }
        if (s == 401) {
            return invalidKey();
        }
        if (s == 403) {
            return VerificationResult.failed(FailureReason.PERMISSION_DENIED, provider() + " refused the key: it lacks"
                    + " a permission it needs, or the account's access changed.");
        }
        if (s == 404) {
            return VerificationResult.failed(FailureReason.MISCONFIGURED, call.label() + " has no model list at this"
                    + " address; check the endpoint.");
        }
        return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, provider() + " gave an unexpected answer ("
                + s + "); nothing was learned about the key.");
    }

    /** RATE_LIMITED, or QUOTA_EXHAUSTED when the wait is longer than any rate limit. */
    protected VerificationResult rateLimited(Optional<Instant> retry, VerificationContext ctx) {
        if (retry.isPresent() && retry.get().isAfter(ctx.clock().instant().plus(MAX_TRANSIENT_WAIT))) {
            return quotaExhausted();
        }
        return VerificationResult.inconclusive(FailureReason.RATE_LIMITED, provider() + " asked us to slow down;"
                + " nothing was learned about the key." + retry.map(t -> " Try again after " + t + ".").orElse(""),
                retry.orElse(null));
    }

    /** FAILED: the key was rejected. */
    protected VerificationResult invalidKey() {
        return VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, provider() + " rejected the API key. If it"
                + " was deleted, revoked or replaced, create a new key and update this credential.");
    }

    /** FAILED: the key is real but its billing or quota is used up. */
    protected VerificationResult quotaExhausted() {
        return VerificationResult.failed(FailureReason.QUOTA_EXHAUSTED, provider() + " accepted the key, but the"
                + " account has no usable quota or billing; add credits or raise the limit, then verify again.");
    }

    /** FAILED: the account behind the key is disabled. */
    protected VerificationResult accountDisabled() {
        return VerificationResult.failed(FailureReason.PERMISSION_DENIED, provider() + " reports the account behind"
                + " this key as disabled or suspended; contact the provider or use another account's key.");
    }

    private VerificationResult redirected(VerifierHttp.Reply reply, Call call) {
        String where = "another address";
        try {
            URI to = reply.uri().resolve(reply.header("Location").strip());
            if (to.getHost() != null) {
                where = to.getHost();
            }
        } catch (IllegalArgumentException e) {
            // keep "another address"
        }
        return VerificationResult.failed(FailureReason.MISCONFIGURED, call.label() + " redirected the check to " + where
                + "; redirects are never followed with a key. Check the endpoint.");
    }

    private static String requestId(VerifierHttp.Reply r) {
        for (String h : new String[] {"x-request-id", "request-id", "apim-request-id"}) {
            String v = r.header(h);
            if (!v.isEmpty()) {
                return v;
            }
        }
        return "";
    }
}
