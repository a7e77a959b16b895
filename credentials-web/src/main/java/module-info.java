/**
 * The REST API behind the admin screen ({@code CredentialsApi}) and the admin console's files ({@code ConsoleFiles}),
 * without a web framework, plus {@code LoopbackConsole}, which serves both on 127.0.0.1 with the JDK's HTTP server.
 * The Spring Boot starter and the CLI both serve this one implementation.
 */
module dev.credentials.web {
    // CredentialsApi.of and LoopbackConsole.builder take a CredentialManager, and the API's Subject, CredentialId and
    // VerificationResult.
    requires transitive dev.credentials.core;
    requires transitive dev.credentials.api;
    requires com.fasterxml.jackson.databind;
    // LoopbackConsole's server; no com.sun.net.httpserver type is in a public signature.
    requires jdk.httpserver;
    requires org.slf4j;

    // The console's files under dev/credentials/web/console/ are read by ConsoleFiles, in this module, so they need
    // no opens.
    exports dev.credentials.web;
}
