/**
 * The public model of the Credentials SDK: identities and access ({@link dev.credentials.api.Subject},
 * {@link dev.credentials.api.Share}), credentials as callers see them ({@link dev.credentials.api.Credential}, never
 * holding a secret), secrets ({@link dev.credentials.api.Secret}, {@link dev.credentials.api.CredentialMaterial}),
 * requests, verification results, events and exceptions.
 */
package dev.credentials.api;
