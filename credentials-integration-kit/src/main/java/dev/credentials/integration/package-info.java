/**
 * What every integration module needs and should not rewrite: {@link dev.credentials.integration.VerifierHttp}, one
 * outbound call made the safe way; {@link dev.credentials.integration.ThirdPartyJson}, the hardened reader for a third
 * party's JSON; {@link dev.credentials.integration.OAuth2TokenClient}, one OAuth 2.0 token endpoint (its
 * {@link dev.credentials.integration.OAuth2Grant grants} and {@link dev.credentials.integration.TokenResponse answers},
 * which become a token refresher's result in one call); and {@link dev.credentials.integration.Endpoints}, routing to a
 * test stub or a gateway. An integration module depends on {@code credentials-api} and this kit only.
 */
package dev.credentials.integration;
