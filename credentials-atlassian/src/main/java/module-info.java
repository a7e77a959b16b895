/**
 * Atlassian Cloud (API token, scoped token, OAuth 2.0) and Data Center (personal access token) credentials. The types
 * verifiers and the OAuth 2.0 refresher are found by {@link java.util.ServiceLoader}, on the module path through {@code provides} and on the
 * class path through {@code META-INF/services}. The {@code internal} package is not exported.
 */
// Until credentials-api has its own module-info it is an automatic module; the suppression then does nothing.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.credentials.atlassian {
    requires transitive dev.credentials.api;
    requires transitive dev.credentials.integration;
    requires com.fasterxml.jackson.databind;

    exports dev.credentials.atlassian;

    provides dev.credentials.api.spi.CredentialType with
            dev.credentials.atlassian.AtlassianCloudApiTokenType,
            dev.credentials.atlassian.AtlassianCloudScopedTokenType,
            dev.credentials.atlassian.AtlassianOAuth2Type,
            dev.credentials.atlassian.AtlassianOAuth2AppType,
            dev.credentials.atlassian.AtlassianDataCenterPatType;
    provides dev.credentials.api.spi.Verifier with
            dev.credentials.atlassian.AtlassianCloudApiTokenVerifier,
            dev.credentials.atlassian.AtlassianCloudScopedTokenVerifier,
            dev.credentials.atlassian.AtlassianOAuth2Verifier,
            dev.credentials.atlassian.AtlassianDataCenterPatVerifier;
    provides dev.credentials.api.spi.TokenRefresher with
            dev.credentials.atlassian.AtlassianOAuth2Refresher;
    provides dev.credentials.api.spi.ConnectionFlow with dev.credentials.atlassian.AtlassianConnectionFlow;
}
