/**
 * The integration kit: what every integration module needs (the safe HTTP exchange of a verifier, the hardened JSON
 * reader, the OAuth 2.0 token-endpoint client, routing to a stub or gateway). Depends on the API and Jackson only.
 */
// Until credentials-api has its own module-info it is an automatic module; the suppression then does nothing.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.credentials.integration {
    requires transitive dev.credentials.api;
    requires transitive java.net.http;
    requires transitive com.fasterxml.jackson.databind;

    exports dev.credentials.integration;
}
