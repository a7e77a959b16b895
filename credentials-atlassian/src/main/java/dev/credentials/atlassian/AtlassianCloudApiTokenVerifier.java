package dev.credentials.atlassian;

import dev.credentials.integration.Endpoints;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.atlassian.internal.Auth;
import dev.credentials.atlassian.internal.Classifier;
import dev.credentials.atlassian.internal.Identity;
import dev.credentials.atlassian.internal.IdentityRun;
import dev.credentials.atlassian.internal.Sites;
import java.net.URI;
import java.util.Objects;

/**
 * Verifies {@link AtlassianCloudApiTokenType}: {@code GET /rest/api/3/myself} for Jira and
 * {@code GET /wiki/rest/api/user/current} for Confluence on the site, requiring a real, active user in each answer.
 * Thread-safe.
 */
public final class AtlassianCloudApiTokenVerifier implements Verifier {
    private final Endpoints endpoints;

    /** Calls Atlassian directly; used by {@link java.util.ServiceLoader}. */
    public AtlassianCloudApiTokenVerifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints} (tests, egress gateways).
     *
     * @param endpoints where the requests actually go ({@link Endpoints#via(java.net.URI)} for a stub)
     */
    public AtlassianCloudApiTokenVerifier(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public String typeId() {
        return AtlassianCloudApiTokenType.ID;
    }

    @Override
    public VerificationResult verify(VerificationContext ctx, CredentialMaterial material) {
        URI site = Sites.cloudSite(material.config().getOrDefault("siteUrl", "")).orElse(null);
        if (site == null) {
            return Sites.notACloudSite();
        }
        String authorization = Auth.basic(material.config().get("email"), material.requireSecret("apiToken"));
        return IdentityRun.run(ctx, endpoints,
                Sites.products(material.config().get("products")).stream().map(Identity.Check::cloud).toList(),
                IdentityRun.Plan.of(check -> Sites.join(site, check.path()),
                check -> new Classifier.Target(Classifier.Where.CLOUD_SITE, site.getHost(), check.product(),
                                "API token", Sites.date(material.config().get("tokenExpiresOn")), ctx.clock()),
                authorization), false);
    }
}
