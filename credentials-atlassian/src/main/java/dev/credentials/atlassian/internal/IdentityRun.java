package dev.credentials.atlassian.internal;

import dev.credentials.integration.VerifierHttp;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.integration.Endpoints;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Runs the identity call of each configured product; all must pass. Not public API. */
public final class IdentityRun {
    private IdentityRun() {}

    /** How to reach and describe one product's identity call. */
    public interface Plan {
        /** The URI of the call. */
        URI uri(Identity.Check check);

        /** How the answer is classified. */
        Classifier.Target target(Identity.Check check);

        /** The Authorization header value. */
        String authorization();

        /** A plan from its three parts. */
        static Plan of(java.util.function.Function<Identity.Check, URI> uri,
                       java.util.function.Function<Identity.Check, Classifier.Target> target, String authorization) {
            return new Plan() {
                @Override
                public URI uri(Identity.Check check) {
                    return uri.apply(check);
                }

                @Override
                public Classifier.Target target(Identity.Check check) {
                    return target.apply(check);
                }

                @Override
                public String authorization() {
                    return authorization;
                }
            };
        }
    }

    /**
     * The first non-VERIFIED result among the checks, or VERIFIED naming every product that passed.
     *
     * @param tlsFailureIsConfig see {@link VerifierHttp#send}
     */
    public static VerificationResult run(VerificationContext ctx, Endpoints endpoints, List<Identity.Check> checks,
                                         Plan plan, boolean tlsFailureIsConfig) {
        return run(ctx, endpoints, checks, plan, tlsFailureIsConfig, reply -> null);
    }

    /**
     * As {@link #run(VerificationContext, Endpoints, List, Plan, boolean)}, with a hook that may take over a
     * reply before it is classified (an OAuth verifier refreshes on 401): a non-null result ends the run with it.
     */
    public static VerificationResult run(VerificationContext ctx, Endpoints endpoints, List<Identity.Check> checks,
                                         Plan plan, boolean tlsFailureIsConfig,
                                         Function<VerifierHttp.Reply, VerificationResult> intercept) {
        if (checks.isEmpty()) {
            return VerificationResult.inconclusive(VerificationResult.FailureReason.NOT_VERIFIABLE,
                    "No product is selected, so there is nothing to check.");
        }
        List<String> passed = new ArrayList<>();
        String label = "";
        for (Identity.Check check : checks) {
            Classifier.Target target = plan.target(check);
            label = target.label();
            HttpRequest.Builder request = HttpRequest.newBuilder().GET()
                    .header("Accept", "application/json")
                    .header("Authorization", plan.authorization());
            VerifierHttp.Exchange ex = VerifierHttp.send(ctx, endpoints, request, plan.uri(check), target.label(), tlsFailureIsConfig);
            if (ex.stopped()) {
                return ex.stop();
            }
            VerificationResult taken = intercept.apply(ex.reply());
            if (taken != null) {
                return taken;
            }
            VerificationResult r = Classifier.failure(ex.reply(), target)
                    .orElseGet(() -> Identity.judge(check, ex.reply(), target));
            if (!r.isVerified()) {
                return r;
            }
            passed.add(check.product());
        }
        return VerificationResult.verified(String.join(" and ", passed) + " on " + label + " accepted the credential.");
    }
}
