package dev.credentials.atlassian;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.atlassian.internal.Classifier;
import dev.credentials.atlassian.internal.Identity;
import dev.credentials.atlassian.internal.IdentityRun;
import dev.credentials.atlassian.internal.Sites;
import dev.credentials.integration.Endpoints;
import dev.credentials.integration.ThirdPartyJson;
import dev.credentials.integration.VerifierHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies {@link AtlassianOAuth2Type} with the access token the manager holds: requires the configured site among
 * the grant's accessible resources (exact host match), then calls each product's identity endpoint through the
 * gateway. It never refreshes or stores a token: the manager refreshes before {@code verify} when the stored token is
 * missing or about to expire (one refresh at a time across nodes), so a refused token that had not expired means the
 * grant itself was withdrawn. Stateless and thread-safe.
 */
public final class AtlassianOAuth2Verifier implements Verifier {
    private static final AtlassianOAuth2Type TYPE = new AtlassianOAuth2Type();

    private final Endpoints endpoints;

    /** Calls Atlassian directly; used by {@link java.util.ServiceLoader}. */
    public AtlassianOAuth2Verifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints}.
     *
     * @param endpoints where the requests actually go ({@link Endpoints#via(java.net.URI)} for a stub)
     */
    public AtlassianOAuth2Verifier(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public String typeId() {
        return AtlassianOAuth2Type.ID;
    }

    @Override
    public VerificationResult verify(VerificationContext ctx, CredentialMaterial material) {
        URI site = Sites.cloudSite(material.config().getOrDefault("siteUrl", "")).orElse(null);
        if (site == null) {
            return Sites.notACloudSite();
        }
        Optional<Secret> token = material.secret(AtlassianOAuth2Type.ACCESS_TOKEN);
        if (token.isEmpty()) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "This credential has no access token"
                    + " yet, so nothing was checked; the manager obtains one with the refresh token before verifying.");
        }
        Optional<Instant> expiresAt = TYPE.accessTokenExpiresAt(material);
        if (expiresAt.isPresent() && !expiresAt.get().isAfter(ctx.clock().instant())) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "The access token expired before the"
                    + " check, so nothing was learned; verify again to refresh it first.");
        }
        return check(ctx, material, site, token.get().reveal(), expiresAt.isPresent());
    }

    /** What a 401 to the current, unexpired access token means: the grant was withdrawn. */
    private static VerificationResult refused(String label, boolean expiryKnown) {
        if (!expiryKnown) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "Atlassian refused the access token"
                    + " for " + label + ", whose expiry is not recorded: it may simply have expired. Verify again to"
                    + " refresh it.");
        }
        return VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "Atlassian refused an access token for "
                + label + " that had not expired: the user revoked the app's access or the grant was withdrawn."
                + " Reconnect the account to Atlassian.");
    }

    /** Accessible resources, then each product's identity. */
    private VerificationResult check(VerificationContext ctx, CredentialMaterial m, URI site, String access,
                                     boolean expiryKnown) {
        String label = site.getHost();
        Classifier.Target grant = new Classifier.Target(Classifier.Where.GATEWAY, label, "Atlassian", "access token",
                Optional.empty(), ctx.clock());
        HttpRequest.Builder request = HttpRequest.newBuilder().GET().header("Accept", "application/json")
                .header("Authorization", "Bearer " + access);
        VerifierHttp.Exchange ex = VerifierHttp.send(ctx, endpoints, request,
                Sites.join(Sites.GATEWAY, "/oauth/token/accessible-resources"), "api.atlassian.com", false);
        if (ex.stopped()) {
            return ex.stop();
        }
        if (ex.reply().status() == 401 && !Classifier.isScopeFailure(ex.reply())) {
            return refused(label, expiryKnown);
        }
        Optional<VerificationResult> failure = Classifier.failure(ex.reply(), grant);
        if (failure.isPresent()) {
            return failure.get();
        }
        Optional<String> cloudId = cloudIdFor(ex.reply(), label);
        if (cloudId.isEmpty()) {
            return VerificationResult.failed(FailureReason.PERMISSION_DENIED, "The app's grant no longer includes "
                    + label + ": access was removed or this site was not granted. Reconnect the app and grant it"
                    + " access to this site.");
        }
        return IdentityRun.run(ctx, endpoints,
                Sites.products(m.config().get("products")).stream().map(Identity.Check::cloud).toList(),
                IdentityRun.Plan.of(check -> Sites.gateway(check, cloudId.get()),
                check -> new Classifier.Target(Classifier.Where.GATEWAY, label, check.product(), "access token",
                                Optional.empty(), ctx.clock()),
                "Bearer " + access), false, reply -> reply.status() == 401 && !Classifier.isScopeFailure(reply) ? refused(label, expiryKnown) : null);
    }

    private static Optional<String> cloudIdFor(VerifierHttp.Reply reply, String host) {
        Optional<JsonNode> parsed = reply.truncated() ? Optional.empty() : ThirdPartyJson.parse(reply.body());
        if (parsed.isEmpty() || !parsed.get().isArray()) {
            return Optional.empty();
        }
        for (JsonNode resource : parsed.get()) {
            Optional<String> url = ThirdPartyJson.text(resource, "url");
            Optional<String> id = ThirdPartyJson.text(resource, "id");
            if (url.isPresent() && id.isPresent() && Sites.isCloudId(id.get())) {
                try {
                    String h = URI.create(url.get()).getHost();
                    if (h != null && h.equalsIgnoreCase(host)) {
                        return id;
                    }
                } catch (IllegalArgumentException e) {
                    // not a URL: not this site
                }
            }
        }
        return Optional.empty();
    }

}
