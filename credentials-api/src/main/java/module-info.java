/**
 * The Credentials SDK's public model, events and exceptions ({@code dev.credentials.api}) and its SPIs for integration
 * and store authors ({@code dev.credentials.api.spi}). Depends on the JDK only.
 */
@SuppressWarnings("module") // the qualified export names a module that is not on this module's path when it compiles
module dev.credentials.api {
    // The SPIs take and return java.net.http types (VerificationContext, CredentialType.authenticate).
    requires transitive java.net.http;

    exports dev.credentials.api;
    exports dev.credentials.api.spi;
    // Input checks and secret redaction shared with the core's validator and sanitizer; not API.
    exports dev.credentials.api.internal to dev.credentials.core;
}
