package dev.credentials.atlassian;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.testkit.StubHttpServer.Answer;
import dev.credentials.testkit.StubHttpServer.Request;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/** Sample material and identity answers shaped like Atlassian's, from the reference notes. */
final class Samples {
    static final String SITE = "https://acme.atlassian.net";
    static final String CLOUD_ID = "1324a887-45db-1bf4-1e99-ef0ff456d421";
    static final String JIRA_ME = "{\"self\":\"https://acme.atlassian.net/rest/api/3/user?accountId=5b10a2844c20165700ede21g\","
            + "\"accountId\":\"5b10a2844c20165700ede21g\",\"accountType\":\"atlassian\",\"emailAddress\":null,"
            + "\"displayName\":\"Build Bot\",\"active\":true,\"timeZone\":\"Europe/Berlin\",\"locale\":\"en_US\"}";
    static final String CONFLUENCE_ME = "{\"type\":\"known\",\"accountId\":\"5b10a2844c20165700ede21g\","
            + "\"accountType\":\"atlassian\",\"email\":\"\",\"publicName\":\"Build Bot\",\"displayName\":\"Build Bot\","
            + "\"isGuest\":false}";
    static final String ANONYMOUS = "{\"type\":\"anonymous\",\"profilePicture\":{\"path\":\"/images/icons/profilepics/"
            + "anonymous.svg\"},\"displayName\":\"Anonymous\",\"_links\":{\"self\":\"https://x/rest/api/user/anonymous\"}}";
    static final String JIRA_DC_ME = "{\"self\":\"https://jira.example.com/rest/api/2/user?username=bot\",\"key\":\"JIRAUSER10100\","
            + "\"name\":\"bot\",\"emailAddress\":\"bot@example.com\",\"displayName\":\"Bot\",\"active\":true}";
    static final String CONFLUENCE_DC_ME = "{\"type\":\"known\",\"username\":\"bot\",\"userKey\":\"8a7f808a6e\","
            + "\"displayName\":\"Bot\"}";
    static final String RESOURCES = "[{\"id\":\"" + CLOUD_ID + "\",\"name\":\"Acme\",\"url\":\"https://acme.atlassian.net\","
            + "\"scopes\":[\"read:jira-user\",\"read:confluence-user\"],\"avatarUrl\":\"https://x/a.png\"}]";

    private Samples() {}

    static String token() {
        return "ATATT3xFfGF0" + UUID.randomUUID().toString().replace("-", "");
    }

    static CredentialMaterial cloud(String products, String token) {
        return CredentialMaterial.of(null, AtlassianCloudApiTokenType.ID,
                Map.of("siteUrl", SITE, "email", "bot@acme.example", "products", products),
                Map.of("apiToken", Secret.of(token)));
    }

    static CredentialMaterial scoped(String products, String email, String cloudId, String token) {
        Map<String, String> config = new LinkedHashMap<>(Map.of("siteUrl", SITE, "products", products));
        if (email != null) {
            config.put("email", email);
        }
        if (cloudId != null) {
            config.put("cloudId", cloudId);
        }
        return CredentialMaterial.of(null, AtlassianCloudScopedTokenType.ID, config, Map.of("apiToken", Secret.of(token)));
    }

    static CredentialMaterial oauth(String products, String refreshToken, String accessToken, Instant expiresAt) {
        Map<String, Secret> secrets = new LinkedHashMap<>();
        secrets.put("clientSecret", Secret.of("client-secret-" + UUID.randomUUID()));
        secrets.put("refreshToken", Secret.of(refreshToken));
        if (accessToken != null) {
            secrets.put("accessToken", Secret.of(accessToken));
            secrets.put("accessTokenExpiresAt", Secret.of(expiresAt.toString()));
        }
        return CredentialMaterial.of(null, AtlassianOAuth2Type.ID,
                Map.of("siteUrl", SITE, "products", products, "clientId", "app-client-1"), secrets);
    }

    static CredentialMaterial dataCenter(String baseUrl, String product, String token) {
        return CredentialMaterial.of(null, AtlassianDataCenterPatType.ID, Map.of("baseUrl", baseUrl, "product", product),
                Map.of("personalAccessToken", Secret.of(token)));
    }

    /** Identity answers for Cloud site and gateway paths. */
    static Function<Request, Answer> cloudIdentity() {
        return r -> {
            if (r.path().endsWith("/rest/api/3/myself")) {
                return Answer.json(200, JIRA_ME);
            }
            if (r.path().endsWith("/wiki/rest/api/user/current")) {
                return Answer.json(200, CONFLUENCE_ME);
            }
            if (r.path().startsWith("/oauth/token/accessible-resources")) {
                return Answer.json(200, RESOURCES);
            }
            if (r.path().startsWith("/_edge/tenant_info")) {
                return Answer.json(200, "{\"cloudId\":\"" + CLOUD_ID + "\"}");
            }
            return Answer.status(404);
        };
    }
}
