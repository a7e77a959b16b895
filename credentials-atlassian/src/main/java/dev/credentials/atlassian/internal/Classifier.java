package dev.credentials.atlassian.internal;

import dev.credentials.integration.VerifierHttp;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * Sorts what Atlassian answers into outcomes and reasons, from the behaviour recorded in the project's reference
 * notes: failed logins that come back as 200 with an {@code X-Seraph-LoginReason}, Confluence's 403 for rejected
 * credentials, CAPTCHA headers, the edge's "site unavailable" 404, rate limits with and without {@code Retry-After};
 * a CDN or firewall block page in front of a server is BLOCKED (the credential was not judged), and a 403 page that
 * is not Atlassian's JSON is INCONCLUSIVE.
 * Messages name the host but never quote a body or a header value. Not public API.
 */
public final class Classifier {
    /** What kind of host answered, which changes how a 404 and a TLS failure read. */
    public enum Where {
        /** A Cloud site, {@code https://<name>.atlassian.net}. */
        CLOUD_SITE,
        /** The gateway {@code https://api.atlassian.com}. */
        GATEWAY,
        /** A self-hosted Data Center server. */
        DATA_CENTER
    }

    /**
     * What the verifier is checking, for messages.
     *
     * @param where the kind of host
     * @param label the host to name
     * @param product "Jira" or "Confluence"
     * @param secretName what people call the secret ("API token", "personal access token", "access token")
     * @param expiresOn the admin-entered expiry date, if any
     * @param clock the clock
     */
    public record Target(Where where, String label, String product, String secretName, Optional<LocalDate> expiresOn,
                         Clock clock) {}

    private Classifier() {}

    /**
     * The result a non-identity answer leads to, or empty when the answer is a 2xx with no failing login header and
     * the caller should go on to check the identity in the body.
     */
    public static Optional<VerificationResult> failure(VerifierHttp.Reply r, Target t) {
        String seraph = r.header("X-Seraph-LoginReason").toUpperCase(Locale.ROOT);
        String denied = r.header("X-Authentication-Denied-Reason").toUpperCase(Locale.ROOT);
        if (seraph.contains("AUTHENTICATION_DENIED") || denied.contains("CAPTCHA")) {
            return Optional.of(VerificationResult.failed(FailureReason.BLOCKED, t.product() + " on " + t.label()
                    + " wants a CAPTCHA for this account after failed logins. Log in once in a browser, then verify again."));
        }
        Optional<String> network = VerifierHttp.networkBlock(r);
        if (network.isPresent()) {
            return Optional.of(VerifierHttp.blockedByNetwork(network.get(), t.label()));
        }
        int s = r.status();
        if (s == 429) {
            Instant retry = retryAfter(r, t.clock()).orElse(null);
            return Optional.of(VerificationResult.inconclusive(FailureReason.RATE_LIMITED, t.product() + " on "
                    + t.label() + " asked us to slow down; nothing was learned about the credential."
                    + (retry != null ? " Try again after " + retry + "." : " Try again later."), retry));
        }
        if (s == 408) {
            return Optional.of(VerificationResult.inconclusive(FailureReason.TIMEOUT, t.product() + " on " + t.label()
                    + " timed out waiting for the request (408); nothing was learned about the credential.",
                    retryAfter(r, t.clock()).orElse(null)));
        }
        if (s >= 500) {
            return Optional.of(VerificationResult.inconclusive(FailureReason.SERVER_ERROR, t.product() + " on "
                    + t.label() + " answered with a server error (" + s + "); nothing was learned about the credential.",
                    retryAfter(r, t.clock()).orElse(null)));
        }
        if (seraph.contains("AUTHENTICATED_FAILED")) {
            return Optional.of(rejected(t));
        }
        if (seraph.contains("AUTHORISATION_FAILED")) {
            return Optional.of(VerificationResult.failed(FailureReason.PERMISSION_DENIED, t.product() + " on "
                    + t.label() + " accepted the login but refused access; check the account's permissions."));
        }
        if (s >= 300 && s < 400) {
            return Optional.of(redirected(r, t));
        }
        if (s == 401) {
            if (isScopeFailure(r)) {
                return Optional.of(missingScope(t));
            }
            return Optional.of(rejected(t));
        }
        if (s == 403) {
            String body = r.bodyText();
            if (body.contains("failed to parse connect session auth token")) {
                return Optional.of(VerificationResult.failed(FailureReason.MISCONFIGURED, t.product() + " on "
                        + t.label() + " cannot read this kind of token here (for example a scoped or OAuth token sent to"
                        + " the site URL); choose the credential type that matches the token."));
            }
            if (body.contains("ip address has been rejected") || body.contains("not on the allowed list")) {
                return Optional.of(VerificationResult.failed(FailureReason.BLOCKED, t.product() + " on " + t.label()
                        + " refused this server's IP address (an IP allow-list); ask the site admin to allow it."));
            }
            if (isScopeFailure(r)) {
                return Optional.of(missingScope(t));
            }
            if (body.contains("cannot access confluence") || body.contains("not permitted to use confluence")) {
                return Optional.of(VerificationResult.failed(FailureReason.PERMISSION_DENIED, "Confluence on "
                        + t.label() + " refused the request: the " + t.secretName() + " was rejected, or the account has"
                        + " no Confluence access. Check the account's product access, or create a new token."));
            }
            if (r.body().length > 0 && !VerifierHttp.isJson(r)) {
                // Atlassian answers a 403 in JSON; a page is from a proxy or firewall in between and judges nothing.
                return Optional.of(VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, t.label()
                        + " answered 403 with a page that did not come from " + t.product() + " (a proxy, gateway or"
                        + " firewall in between?); the credential was not judged."));
            }
            return Optional.of(VerificationResult.failed(FailureReason.PERMISSION_DENIED, t.product() + " on "
                    + t.label() + " refused access: the account's permissions were changed or revoked, or the "
                    + t.secretName() + " lacks a permission it needs."));
        }
        if (s == 404) {
            String body = r.bodyText();
            if (body.contains("site temporarily unavailable") || body.contains("page unavailable")) {
                return Optional.of(VerificationResult.failed(FailureReason.NOT_FOUND, "The Atlassian site "
                        + t.label() + " was not found or is suspended; check the site URL."));
            }
            if (t.where() == Where.CLOUD_SITE) {
                return Optional.of(VerificationResult.failed(FailureReason.NOT_FOUND, t.product() + " was not found on "
                        + t.label() + ": the site is gone or suspended, or it has no " + t.product()
                        + "; check the site URL and the products."));
            }
            if (t.where() == Where.GATEWAY) {
                return Optional.of(VerificationResult.failed(FailureReason.NOT_FOUND, "Atlassian has no " + t.product()
                        + " site for this cloud id, or the token cannot reach it; check the site and its cloud id."));
            }
            return Optional.of(VerificationResult.failed(FailureReason.MISCONFIGURED, t.label() + " has no "
                    + t.product() + " REST API at this URL; check the base URL, including any context path such as /jira."));
        }
        if (!r.ok()) {
            return Optional.of(VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, t.product() + " on "
                    + t.label() + " gave an unexpected answer (" + s + "); nothing was learned about the credential."));
        }
        return Optional.empty();
    }

    /** FAILED for a rejected secret: EXPIRED when the admin-entered expiry has passed, else INVALID_CREDENTIALS. */
    public static VerificationResult rejected(Target t) {
        LocalDate today = LocalDate.ofInstant(t.clock().instant(), ZoneOffset.UTC);
        if (t.expiresOn().isPresent() && !t.expiresOn().get().isAfter(today)) {
            return VerificationResult.failed(FailureReason.EXPIRED, t.product() + " on " + t.label() + " rejected the "
                    + t.secretName() + ", which expired on " + t.expiresOn().get() + ". Create a new one and update"
                    + " this credential.");
        }
        return VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, t.product() + " on " + t.label()
                + " rejected the " + t.secretName() + ". If it was changed, revoked or has expired, create a new one"
                + " and update this credential.");
    }

    private static VerificationResult missingScope(Target t) {
        return VerificationResult.failed(FailureReason.PERMISSION_DENIED, "The " + t.secretName() + " lacks the scope"
                + " to read the current user from " + t.product() + " on " + t.label() + " (read:jira-user for Jira,"
                + " read:content-details:confluence for Confluence); create one with that scope.");
    }

    /** True when a 401 says the token lacks a scope (the gateway's scope check), not that it was refused. */
    public static boolean isScopeFailure(VerifierHttp.Reply r) {
        return r.header("X-Failure-Category").toUpperCase(Locale.ROOT).contains("SCOPE")
                || r.bodyText().contains("scope does not match");
    }

    private static VerificationResult redirected(VerifierHttp.Reply r, Target t) {
        String where = "another address";
        String location = r.header("Location");
        if (!location.isEmpty()) {
            try {
                URI to = r.uri().resolve(location.strip());
                if (to.getHost() != null) {
                    where = to.getHost();
                }
            } catch (IllegalArgumentException e) {
                // keep "another address"
            }
        }
        return VerificationResult.failed(FailureReason.MISCONFIGURED, t.product() + " on " + t.label()
                + " redirected the check to " + where + ": the site may have been renamed, or a login or SSO page is in"
                + " front of the API. Update the URL; redirects are never followed with a credential.");
    }

    /** When to try again: {@code Retry-After} (seconds or HTTP date), else {@code X-RateLimit-Reset} (ISO 8601). */
    public static Optional<Instant> retryAfter(VerifierHttp.Reply r, Clock clock) {
        Optional<Instant> standard = VerifierHttp.retryAfter(r, clock);
        if (standard.isPresent()) {
            return standard;
        }
        String reset = r.header("X-RateLimit-Reset").strip();
        if (!reset.isEmpty()) {
            for (DateTimeFormatter f : new DateTimeFormatter[] {DateTimeFormatter.ISO_OFFSET_DATE_TIME,
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mmX"), DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mmXXX")}) {
                try {
                    return Optional.of(OffsetDateTime.parse(reset, f).toInstant());
                } catch (DateTimeParseException e) {
                    // try the next form
                }
            }
        }
        return Optional.empty();
    }
}
