/**
 * The service-provider interfaces: what an integration module implements ({@link dev.credentials.api.spi.CredentialType},
 * {@link dev.credentials.api.spi.Verifier}), what a storage backend implements
 * ({@link dev.credentials.api.spi.CredentialStore}), and what the core hands to verifiers
 * ({@link dev.credentials.api.spi.VerificationContext}, {@link dev.credentials.api.spi.UrlPolicy}).
 *
 * <p>Integration modules depend on {@code credentials-api} only, never on the core.
 */
package dev.credentials.api.spi;
