/**
 * Atlassian credential types and verifiers, found by {@link java.util.ServiceLoader}:
 * {@link dev.credentials.atlassian.AtlassianCloudApiTokenType} (e-mail and API token on the site),
 * {@link dev.credentials.atlassian.AtlassianCloudScopedTokenType} (scoped and service-account tokens through the
 * gateway), {@link dev.credentials.atlassian.AtlassianOAuth2Type} (OAuth 2.0 3LO with rotating refresh tokens, kept
 * fresh by {@link dev.credentials.atlassian.AtlassianOAuth2Refresher}) and
 * {@link dev.credentials.atlassian.AtlassianDataCenterPatType} (self-hosted personal access tokens).
 *
 * <p>Verifiers check a real identity (never "any 2xx": Atlassian answers failed logins as the anonymous user), tell a
 * rejected credential from a transient problem, follow no redirects, read at most 1 MiB of a body, and never quote a
 * body, a header value or a secret in a message.
 *
 * <h2>OAuth 2.0 (3LO): what the refresher relies on</h2>
 * <ul>
 *   <li><b>The request.</b> {@code POST https://auth.atlassian.com/oauth/token} with a JSON body of
 *       {@code grant_type=refresh_token}, {@code client_id}, {@code client_secret} and {@code refresh_token}; the answer
 *       carries {@code access_token}, {@code expires_in} (about an hour), {@code scope} and a new
 *       {@code refresh_token}. A refresh token is issued only when {@code offline_access} was among the scopes.
 *       Source: <a href="https://developer.atlassian.com/cloud/oauth/getting-started/refresh-tokens/">Atlassian,
 *       "Refresh tokens"</a> and
 *       <a href="https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/">"OAuth 2.0 (3LO) apps"</a>.</li>
 *   <li><b>Rotation.</b> Every refresh returns a new refresh token and invalidates the one used; the new one must be
 *       stored before anything else. Reusing an invalidated refresh token outside a <b>10-minute leeway</b> invalidates
 *       every refresh token of the grant and the user must consent again. So the manager runs one refresh of a
 *       credential at a time across all nodes and stores the rotated token before the access token is used.</li>
 *   <li><b>Idle expiry.</b> A rotating refresh token expires after <b>90 days</b> unused; each refresh resets that
 *       clock. {@link dev.credentials.atlassian.AtlassianOAuth2Refresher#keepAliveInterval()} is 60 days, so the
 *       scheduler refreshes an idle grant well before then.</li>
 *   <li><b>Absolute expiry.</b> Every grant ends <b>365 days</b> after the user's first consent, however often it is
 *       refreshed; only a new consent starts another year. When the credential records the day of consent
 *       ({@code consentedAt}), {@link dev.credentials.atlassian.AtlassianOAuth2Refresher#grantExpiresAt} is that day
 *       plus 365 days (counted from the start of the day, so a warning is never late).
 *       Source for these three rules: Atlassian's announcement
 *       <a href="https://community.developer.atlassian.com/t/updated-31-january-2022-action-required-deprecating-persistent-refresh-tokens/54172">"Updated:
 *       31 January 2022 - Action required - Deprecating persistent refresh tokens"</a> and Atlassian's answer in
 *       <a href="https://community.developer.atlassian.com/t/refresh-token-expire-after-36000-seconds/60806/2">"Refresh
 *       token expire after 36000 seconds"</a> (the absolute expiry counts from the first refresh token).</li>
 *   <li><b>Errors.</b> Atlassian documents {@code 403 {"error": "invalid_grant", "error_description": "Unknown or
 *       invalid refresh token."}} for a refresh token that expired or was revoked (a changed password, or a token not
 *       replaced by the rotated one) ("Refresh tokens", above): {@code EXPIRED}, reconnect. Not documented by
 *       Atlassian but reported by client libraries: {@code 403 unauthorized_client} for a refresh token that is unknown
 *       or rotated out ({@code INVALID_CREDENTIALS}, reconnect), and {@code 401 access_denied} for a wrong client
 *       secret, the same code a user's refusal of consent gets: it is read as {@code MISCONFIGURED}, so users are not
 *       sent to consent again over an app's bad secret. A 429, a 5xx or a timeout keeps every token; the leeway covers
 *       one retry with the same refresh token.</li>
 *   <li><b>Using the token.</b> Access tokens work only through the gateway {@code https://api.atlassian.com}
 *       ({@code /oauth/token/accessible-resources}, then {@code /ex/{product}/{cloudId}/...}), which is the only target
 *       the type allows. Source: <a href="https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/">"OAuth
 *       2.0 (3LO) apps"</a>.</li>
 * </ul>
 */
package dev.credentials.atlassian;
