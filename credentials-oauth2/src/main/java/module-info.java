/**
 * Generic OAuth 2.0 credentials: {@code oauth2} (authorization code: a user's refresh token) and
 * {@code oauth2-client-credentials} (an app's own client id and secret), and {@code oauth2-app} with its connection
 * flow, with which people connect their own accounts. The types, verifiers and refreshers are found
 * by {@link java.util.ServiceLoader}, on the module path through {@code provides} and on the class path through
 * {@code META-INF/services}.
 */
// Until credentials-api has its own module-info it is an automatic module; that suppression then does nothing. The
// name ends in "oauth2" on purpose, as the module, its package and its artifact are named after OAuth 2.0.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic", "module"})
module dev.credentials.oauth2 {
    requires transitive dev.credentials.api;
    requires transitive dev.credentials.integration;
    requires com.fasterxml.jackson.databind;

    exports dev.credentials.oauth2;

    provides dev.credentials.api.spi.CredentialType with
            dev.credentials.oauth2.OAuth2Type,
            dev.credentials.oauth2.OAuth2ClientCredentialsType,
            dev.credentials.oauth2.OAuth2AppType;
    provides dev.credentials.api.spi.Verifier with
            dev.credentials.oauth2.OAuth2Verifier,
            dev.credentials.oauth2.OAuth2ClientCredentialsVerifier;
    provides dev.credentials.api.spi.TokenRefresher with
            dev.credentials.oauth2.OAuth2Refresher,
            dev.credentials.oauth2.OAuth2ClientCredentialsRefresher;
    provides dev.credentials.api.spi.ConnectionFlow with dev.credentials.oauth2.OAuth2ConnectionFlow;
}
