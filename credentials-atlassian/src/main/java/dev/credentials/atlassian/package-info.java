/**
 * Atlassian credential types and verifiers, found by {@link java.util.ServiceLoader}:
 * {@link dev.credentials.atlassian.AtlassianCloudApiTokenType} (e-mail and API token on the site),
 * {@link dev.credentials.atlassian.AtlassianCloudScopedTokenType} (scoped and service-account tokens through the
 * gateway), {@link dev.credentials.atlassian.AtlassianOAuth2Type} (OAuth 2.0 3LO with rotating refresh tokens) and
 * {@link dev.credentials.atlassian.AtlassianDataCenterPatType} (self-hosted personal access tokens).
 *
 * <p>Verifiers check a real identity (never "any 2xx": Atlassian answers failed logins as the anonymous user), tell a
 * rejected credential from a transient problem, follow no redirects, read at most 1 MiB of a body, and never quote a
 * body, a header value or a secret in a message.
 */
package dev.credentials.atlassian;
