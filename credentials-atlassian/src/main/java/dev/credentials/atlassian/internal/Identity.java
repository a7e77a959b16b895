package dev.credentials.atlassian.internal;

import dev.credentials.integration.ThirdPartyJson;
import dev.credentials.integration.VerifierHttp;
import com.fasterxml.jackson.databind.JsonNode;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import java.util.Optional;

/**
 * Decides whether a 2xx identity answer names a real, active user: never "any 2xx", since Atlassian answers failed
 * logins as the anonymous user. Not public API.
 */
public final class Identity {
    private Identity() {}

    /** The identity calls, by deployment and product. */
    public enum Check {
        /** {@code GET /rest/api/3/myself} on Cloud (site or gateway). */
        JIRA_CLOUD("Jira", "/rest/api/3/myself"),
        /** {@code GET /wiki/rest/api/user/current} on Cloud (site or gateway). */
        CONFLUENCE_CLOUD("Confluence", "/wiki/rest/api/user/current"),
        /** {@code GET /rest/api/2/myself} on Data Center. */
        JIRA_DC("Jira", "/rest/api/2/myself"),
        /** {@code GET /rest/api/user/current} on Data Center. */
        CONFLUENCE_DC("Confluence", "/rest/api/user/current");

        private final String product;
        private final String path;

        Check(String product, String path) {
            this.product = product;
            this.path = path;
        }

        /** "Jira" or "Confluence". */
        public String product() {
            return product;
        }

        /** The path under the site, gateway or base URL. */
        public String path() {
            return path;
        }

        /** The Cloud check for a product choice value ("jira" or "confluence"). */
        public static Check cloud(String product) {
            return product.equals("jira") ? JIRA_CLOUD : CONFLUENCE_CLOUD;
        }

        /** The Data Center check for a product choice value. */
        public static Check dataCenter(String product) {
            return product.equals("jira") ? JIRA_DC : CONFLUENCE_DC;
        }
    }

    /** VERIFIED, FAILED or INCONCLUSIVE for a 2xx answer to {@code check}. */
    public static VerificationResult judge(Check check, VerifierHttp.Reply reply, Classifier.Target target) {
        Optional<JsonNode> parsed = reply.truncated() ? Optional.empty() : ThirdPartyJson.parse(reply.body());
        if (parsed.isEmpty() || !parsed.get().isObject()) {
            if (check == Check.JIRA_DC || check == Check.CONFLUENCE_DC) {
                return VerificationResult.failed(FailureReason.MISCONFIGURED, target.label() + " did not answer like "
                        + check.product() + "'s REST API (a login page or a proxy?); check the base URL.");
            }
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, check.product() + " on "
                    + target.label() + " did not answer with a user; nothing was learned about the credential.");
        }
        JsonNode user = parsed.get();
        String type = ThirdPartyJson.text(user, "type").orElse("");
        if (type.equals("anonymous")) {
            return VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, check.product() + " on "
                    + target.label() + " answered as the anonymous user, so the " + target.secretName()
                    + " was not accepted. If it was changed, revoked or has expired, create a new one and update this"
                    + " credential.");
        }
        JsonNode active = user.get("active");
        if (active != null && active.isBoolean() && !active.asBoolean()) {
            return VerificationResult.failed(FailureReason.PERMISSION_DENIED, check.product() + " on " + target.label()
                    + " reports the account as deactivated; reactivate it or use another account.");
        }
        boolean identified = switch (check) {
            case JIRA_CLOUD -> ThirdPartyJson.text(user, "accountId").isPresent();
            case CONFLUENCE_CLOUD -> ThirdPartyJson.text(user, "accountId").isPresent();
            case JIRA_DC -> ThirdPartyJson.text(user, "name").isPresent() || ThirdPartyJson.text(user, "key").isPresent();
            case CONFLUENCE_DC -> type.equals("known")
                    && (ThirdPartyJson.text(user, "username").isPresent() || ThirdPartyJson.text(user, "userKey").isPresent());
        };
        if (!identified) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, check.product() + " on "
                    + target.label() + " did not name a user; nothing was learned about the credential.");
        }
        return VerificationResult.verified(check.product() + " on " + target.label() + " accepted the credential.");
    }
}
