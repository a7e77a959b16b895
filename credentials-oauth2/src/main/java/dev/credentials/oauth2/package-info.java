/**
 * Generic OAuth 2.0 credentials, so that a provider such as Google, Microsoft, Slack or GitHub needs configuration,
 * not Java: {@link dev.credentials.oauth2.OAuth2Type} ({@code oauth2}: the authorization-code grant, a user's refresh
 * token) and {@link dev.credentials.oauth2.OAuth2ClientCredentialsType} ({@code oauth2-client-credentials}: an app
 * acting as itself), each with a verifier and a {@link dev.credentials.api.spi.TokenRefresher}, all found by
 * {@link java.util.ServiceLoader}. Token-endpoint calls go through the integration kit's
 * {@link dev.credentials.integration.OAuth2TokenClient} (RFC 6749: client authentication by Basic header or in the
 * body, form or JSON bodies, error codes mapped to reasons).
 *
 * <p>The token URL, the API base URL and the optional identity URL are TARGET fields: the secrets go only there, and
 * changing one requires entering the secrets again. Access tokens and their expiry are MANAGED: the manager obtains,
 * stores and renews them.
 */
package dev.credentials.oauth2;
