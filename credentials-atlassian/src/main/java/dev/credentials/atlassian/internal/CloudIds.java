package dev.credentials.atlassian.internal;

import dev.credentials.integration.ThirdPartyJson;
import dev.credentials.integration.VerifierHttp;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.integration.Endpoints;
import java.net.URI;
import java.net.http.HttpRequest;

/** Finds a site's cloud id from {@code /_edge/tenant_info}, sending no credentials. Not public API. */
public final class CloudIds {
    private CloudIds() {}

    /** The cloud id, or the result that ends the verification. */
    public record Lookup(String cloudId, VerificationResult stop) {}

    /** Looks the cloud id of {@code site} up. */
    public static Lookup lookup(VerificationContext ctx, Endpoints endpoints, URI site) {
        String label = site.getHost();
        HttpRequest.Builder request = HttpRequest.newBuilder().GET().header("Accept", "application/json");
        VerifierHttp.Exchange ex = VerifierHttp.send(ctx, endpoints, request, Sites.join(site, "/_edge/tenant_info"), label, false);
        if (ex.stopped()) {
            return new Lookup(null, ex.stop());
        }
        VerifierHttp.Reply r = ex.reply();
        if (r.status() == 404) {
            return new Lookup(null, VerificationResult.failed(FailureReason.NOT_FOUND,
                    "The Atlassian site " + label + " was not found or is suspended; check the site URL."));
        }
        if (r.status() == 429 || r.status() >= 500) {
            Classifier.Target t = new Classifier.Target(Classifier.Where.CLOUD_SITE, label, "The site", "token",
                    java.util.Optional.empty(), ctx.clock());
            return new Lookup(null, Classifier.failure(r, t).orElseThrow());
        }
        String cloudId = r.ok() ? ThirdPartyJson.parse(r.body()).flatMap(n -> ThirdPartyJson.text(n, "cloudId")).orElse(null) : null;
        if (cloudId == null || !Sites.isCloudId(cloudId)) {
            return new Lookup(null, VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "The site " + label
                    + " did not give its cloud id; enter the cloud id on the credential and verify again."));
        }
        return new Lookup(cloudId, null);
    }
}
