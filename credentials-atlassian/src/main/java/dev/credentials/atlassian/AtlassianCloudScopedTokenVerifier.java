package dev.credentials.atlassian;

import dev.credentials.integration.Endpoints;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.atlassian.internal.Auth;
import dev.credentials.atlassian.internal.Classifier;
import dev.credentials.atlassian.internal.CloudIds;
import dev.credentials.atlassian.internal.Identity;
import dev.credentials.atlassian.internal.IdentityRun;
import dev.credentials.atlassian.internal.Sites;
import java.net.URI;
import java.util.Objects;

/**
 * Verifies {@link AtlassianCloudScopedTokenType} through the gateway: looks the cloud id up from the site (without
 * credentials) when it is not configured, then calls each product's identity endpoint under
 * {@code https://api.atlassian.com/ex/{product}/{cloudId}}. The token is never sent to the site. Thread-safe.
 */
public final class AtlassianCloudScopedTokenVerifier implements Verifier {
    private final Endpoints endpoints;

    /** Calls Atlassian directly; used by {@link java.util.ServiceLoader}. */
    public AtlassianCloudScopedTokenVerifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints}.
     *
     * @param endpoints where the requests actually go ({@link Endpoints#via(java.net.URI)} for a stub)
     */
    public AtlassianCloudScopedTokenVerifier(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public String typeId() {
        return AtlassianCloudScopedTokenType.ID;
    }

    @Override
    public VerificationResult verify(VerificationContext ctx, CredentialMaterial material) {
        URI site = Sites.cloudSite(material.config().getOrDefault("siteUrl", "")).orElse(null);
        if (site == null) {
            return Sites.notACloudSite();
        }
        String cloudId = material.config().get("cloudId");
        if (cloudId == null) {
            CloudIds.Lookup lookup = CloudIds.lookup(ctx, endpoints, site);
            if (lookup.stop() != null) {
                return lookup.stop();
            }
            cloudId = lookup.cloudId();
        }
        Secret token = material.requireSecret("apiToken");
        String email = material.config().get("email");
        String authorization = email != null ? Auth.basic(email, token) : Auth.bearer(token);
        String id = cloudId;
        return IdentityRun.run(ctx, endpoints,
                Sites.products(material.config().get("products")).stream().map(Identity.Check::cloud).toList(),
                IdentityRun.Plan.of(check -> Sites.gateway(check, id),
                check -> new Classifier.Target(Classifier.Where.GATEWAY, site.getHost(), check.product(),
                                "scoped token", Sites.date(material.config().get("tokenExpiresOn")), ctx.clock()),
                authorization), false);
    }
}
