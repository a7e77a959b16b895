package dev.credentials.models;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.models.internal.ModelVerifier;

/**
 * What every public verifier of this module shares: it forwards to its provider's check, a {@link ModelVerifier},
 * so that no public type exposes that internal class. Thread-safe: immutable.
 */
abstract class ProviderVerifier implements Verifier {
    private final ModelVerifier check;

    ProviderVerifier(ModelVerifier check) {
        this.check = check;
    }

    @Override
    public final String typeId() {
        return check.typeId();
    }

    @Override
    public final VerificationResult verify(VerificationContext ctx, CredentialMaterial material) {
        return check.verify(ctx, material);
    }
}
