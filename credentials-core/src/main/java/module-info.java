/**
 * The Credentials SDK's engine: {@code CredentialManager}, {@code Keyring}, Tink envelope encryption, discovery,
 * validation, access control and verification, and an in-memory store. Its {@code internal} package is not exported.
 */
// Tink has no module descriptor, only an Automatic-Module-Name.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.credentials.core {
    requires transitive dev.credentials.api;
    // Keyring and LocalKeysets take and return Tink's Aead and KeysetHandle.
    requires transitive com.google.crypto.tink;
    requires org.slf4j;

    exports dev.credentials.core;

    // Integration modules provide these; the manager discovers them unless told not to.
    uses dev.credentials.api.spi.CredentialType;
    uses dev.credentials.api.spi.Verifier;
    uses dev.credentials.api.spi.TokenRefresher;
    uses dev.credentials.api.spi.ConnectionFlow;
}
