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
import java.util.List;
import java.util.Objects;

/**
 * Verifies {@link AtlassianDataCenterPatType}: {@code GET /rest/api/2/myself} (Jira, which cannot be read
 * anonymously) or {@code GET /rest/api/user/current} (Confluence, which must answer {@code "type": "known"}: a wrong
 * token there comes back as the anonymous user). Every request passes the URL policy first. Thread-safe.
 */
public final class AtlassianDataCenterPatVerifier implements Verifier {
    private final Endpoints endpoints;

    /** Calls the server directly; used by {@link java.util.ServiceLoader}. */
    public AtlassianDataCenterPatVerifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints}.
     *
     * @param endpoints where the requests actually go ({@link Endpoints#via(java.net.URI)} for a stub)
     */
    public AtlassianDataCenterPatVerifier(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public String typeId() {
        return AtlassianDataCenterPatType.ID;
    }

    @Override
    public VerificationResult verify(VerificationContext ctx, CredentialMaterial material) {
        URI base = URI.create(material.config().get("baseUrl"));
        String label = base.getHost();
        String authorization = Auth.bearer(material.requireSecret("personalAccessToken"));
        return IdentityRun.run(ctx, endpoints, List.of(Identity.Check.dataCenter(material.config().get("product"))),
                IdentityRun.Plan.of(check -> Sites.join(base, check.path()),
                check -> new Classifier.Target(Classifier.Where.DATA_CENTER, label, check.product(),
                                "personal access token", Sites.date(material.config().get("tokenExpiresOn")), ctx.clock()),
                authorization), true);
    }
}
