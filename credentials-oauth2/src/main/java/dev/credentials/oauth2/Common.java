package dev.credentials.oauth2;

import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.integration.Endpoints;
import dev.credentials.integration.OAuth2TokenClient;
import dev.credentials.integration.ThirdPartyJson;
import dev.credentials.integration.TokenResponse;
import dev.credentials.integration.VerifierHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** What the two OAuth 2.0 types share: field specs, field reading, the token client, the identity check. */
final class Common {
    static final String TOKEN_URL = "tokenUrl";
    static final String API_BASE_URL = "apiBaseUrl";
    static final String IDENTITY_URL = "identityUrl";
    static final String CLIENT_ID = "clientId";
    static final String CLIENT_AUTH = "clientAuth";
    static final String BODY_FORMAT = "bodyFormat";
    static final String SCOPES = "scopes";
    static final String CLIENT_SECRET = "clientSecret";
    static final String ACCESS_TOKEN = "accessToken";
    static final String ACCESS_TOKEN_EXPIRES_AT = "accessTokenExpiresAt";

    private Common() {}

    static FieldSpec tokenUrl() {
        return FieldSpec.config(TOKEN_URL, "Token URL", FieldKind.URL).required().roles(FieldRole.TARGET)
                .description("The provider's token endpoint, such as https://oauth2.googleapis.com/token. The client"
                        + " secret is sent there.").build();
    }

    static FieldSpec apiBaseUrl() {
        return FieldSpec.config(API_BASE_URL, "API base URL", FieldKind.URL).required().roles(FieldRole.TARGET)
                .description("Where tools send the access token, such as https://www.googleapis.com.").build();
    }

    static FieldSpec identityUrl() {
        return FieldSpec.config(IDENTITY_URL, "Identity URL", FieldKind.URL).roles(FieldRole.TARGET)
                .description("Optional: an endpoint that answers who the token belongs to (an OpenID Connect"
                        + " userinfo endpoint, /me, /user). Verify calls it with the access token; without it, Verify"
                        + " only proves that the token endpoint issues tokens.").build();
    }

    static FieldSpec clientId() {
        return FieldSpec.config(CLIENT_ID, "Client id", FieldKind.TEXT).required()
                .description("The app's client id from the provider's developer console.").build();
    }

    static FieldSpec clientAuth() {
        return FieldSpec.config(CLIENT_AUTH, "Client authentication", FieldKind.CHOICE)
                .choices(OAuth2TokenClient.ClientAuth.CLIENT_SECRET_BASIC.value(),
                        OAuth2TokenClient.ClientAuth.CLIENT_SECRET_POST.value())
                .description("How the app proves itself to the token endpoint: client_secret_basic (an HTTP Basic"
                        + " header, the default every provider must accept) or client_secret_post (in the body).")
                .build();
    }

    static FieldSpec bodyFormat() {
        return FieldSpec.config(BODY_FORMAT, "Request body", FieldKind.CHOICE)
                .choices(OAuth2TokenClient.BodyFormat.FORM.value(), OAuth2TokenClient.BodyFormat.JSON.value())
                .description("How the token request is encoded: form (the standard, the default) or json.").build();
    }

    static FieldSpec scopes() {
        return FieldSpec.config(SCOPES, "Scopes", FieldKind.TEXT)
                .description("The scopes to ask for, separated by spaces.").build();
    }

    static FieldSpec clientSecret() {
        return FieldSpec.secret(CLIENT_SECRET, "Client secret").required().roles(FieldRole.INTERNAL)
                .description("The app's client secret. Sent only to the token endpoint; tools never receive it.")
                .build();
    }

    static FieldSpec accessToken() {
        return FieldSpec.secret(ACCESS_TOKEN, "Access token").roles(FieldRole.MANAGED, FieldRole.HEADER_VALUE)
                .description("Kept by the library: obtained from the token endpoint when needed.").build();
    }

    static FieldSpec accessTokenExpiresAt() {
        return FieldSpec.secret(ACCESS_TOKEN_EXPIRES_AT, "Access token expiry").roles(FieldRole.MANAGED)
                .description("Kept by the library: when the access token expires.").build();
    }

    /** The configured scopes, split on spaces. */
    static List<String> scopes(CredentialMaterial m) {
        return scopeList(m.config(SCOPES).orElse(""));
    }

    static List<String> scopeList(String value) {
        return Arrays.stream(value.strip().split(" +")).filter(s -> !s.isEmpty()).toList();
    }

    /** A {@code scopes} value must be scope tokens RFC 6749 §3.3 allows, separated by spaces. */
    static void checkScopes(String value, List<FieldError> errors) {
        if (value == null) {
            return;
        }
        for (String s : scopeList(value)) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') {
                    errors.add(new FieldError(SCOPES, FieldError.Codes.INVALID, "scopes must be separated by single"
                            + " spaces and hold only printable ASCII other than '\"' and '\\'"));
                    return;
                }
            }
        }
    }

    /** The token client for this credential's endpoint and settings, or the reason there is none. */
    static OAuth2TokenClient client(CredentialMaterial m, Endpoints endpoints) {
        URI tokenUrl = URI.create(m.config(TOKEN_URL).orElseThrow(() -> new IllegalArgumentException("tokenUrl")));
        return OAuth2TokenClient.builder(tokenUrl)
                .clientAuth(m.config(CLIENT_AUTH).flatMap(OAuth2TokenClient.ClientAuth::of)
                        .orElse(OAuth2TokenClient.ClientAuth.CLIENT_SECRET_BASIC))
                .bodyFormat(m.config(BODY_FORMAT).flatMap(OAuth2TokenClient.BodyFormat::of)
                        .orElse(OAuth2TokenClient.BodyFormat.FORM))
                .endpoints(endpoints)
                .build();
    }

    static String misconfigured() {
        return "The credential's token URL or client id is missing or not a valid URL; correct it and enter the"
                + " secrets again.";
    }

    static Optional<Instant> accessTokenExpiresAt(CredentialMaterial material) {
        return TokenResponse.storedExpiry(material, ACCESS_TOKEN, ACCESS_TOKEN_EXPIRES_AT);
    }

    static void bearer(CredentialMaterial material, HttpRequest.Builder request) {
        Secret token = material.secret(ACCESS_TOKEN).orElseThrow(() -> new IllegalStateException(
                "this OAuth credential has no access token yet; the manager obtains one before authenticating"));
        request.setHeader("Authorization", "Bearer " + token.reveal());
    }

    /**
     * Asks the identity endpoint who the current access token belongs to. VERIFIED for a 2xx JSON object; a 401 to a
     * token that had not expired is FAILED (the grant was withdrawn); a 403 is PERMISSION_DENIED; a 404 or a redirect
     * MISCONFIGURED (the URL is wrong); a 408, 429 or 5xx, or no answer, INCONCLUSIVE.
     */
    static VerificationResult identity(VerificationContext ctx, Endpoints endpoints, CredentialMaterial m,
                                       String reconnect) {
        Optional<Secret> token = m.secret(ACCESS_TOKEN);
        if (token.isEmpty()) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "This credential has no access token"
                    + " yet, so nothing was checked; the manager obtains one before verifying.");
        }
        Optional<Instant> expiresAt = accessTokenExpiresAt(m);
        if (expiresAt.isPresent() && !expiresAt.get().isAfter(ctx.clock().instant())) {
            return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "The access token expired before the"
                    + " check, so nothing was learned; verify again to obtain a new one first.");
        }
        URI url;
        try {
            url = URI.create(m.config(IDENTITY_URL).orElseThrow());
        } catch (IllegalArgumentException e) {
            url = null;
        }
        if (url == null || url.getHost() == null) {
            return VerificationResult.failed(FailureReason.MISCONFIGURED, "The identity URL is not a valid URL;"
                    + " correct it and enter the secrets again.");
        }
        String label = url.getHost();
        HttpRequest.Builder request = HttpRequest.newBuilder().GET().header("Accept", "application/json")
                .header("Authorization", "Bearer " + token.get().reveal());
        VerifierHttp.Exchange ex = VerifierHttp.send(ctx, endpoints, request, url, label, false);
        if (ex.stopped()) {
            return ex.stop();
        }
        VerifierHttp.Reply r = ex.reply();
        int s = r.status();
        if (r.ok()) {
            boolean object = !r.truncated() && ThirdPartyJson.parse(r.body()).map(n -> n.isObject()).orElse(false);
            return object ? VerificationResult.verified("The identity endpoint at " + label + " accepted the access"
                    + " token and named its account.")
                    : VerificationResult.failed(FailureReason.MISCONFIGURED, "The identity endpoint at " + label
                    + " answered without a JSON account; check the identity URL.");
        }
        if (s >= 300 && s < 400) {
            return VerificationResult.failed(FailureReason.MISCONFIGURED, "The identity endpoint at " + label
                    + " answered with a redirect, which is not followed; check the identity URL.");
        }
        if (s == 401) {
            return expiresAt.isPresent()
                    ? VerificationResult.failed(FailureReason.INVALID_CREDENTIALS, "The identity endpoint at " + label
                            + " refused an access token that had not expired: " + reconnect)
                    : VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "The identity endpoint at "
                            + label + " refused an access token whose expiry is not recorded; it may simply have"
                            + " expired. Verify again.");
        }
        if (s == 403) {
            return VerificationResult.failed(FailureReason.PERMISSION_DENIED, "The identity endpoint at " + label
                    + " refused this token's access; ask for the scope the identity endpoint needs.");
        }
        if (s == 404 || s == 405) {
            return VerificationResult.failed(FailureReason.MISCONFIGURED, "The identity endpoint at " + label
                    + " does not exist (" + s + "); check the identity URL.");
        }
        if (s == 429) {
            return VerificationResult.inconclusive(FailureReason.RATE_LIMITED, label + " asked us to slow down;"
                    + " nothing was learned about the credential.",
                    VerifierHttp.retryAfter(r, ctx.clock()).orElse(null));
        }
        if (s == 408 || s >= 500) {
            return VerificationResult.inconclusive(s == 408 ? FailureReason.TIMEOUT : FailureReason.SERVER_ERROR,
                    label + " answered " + s + "; nothing was learned about the credential.");
        }
        return VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "The identity endpoint at " + label
                + " gave an unexpected answer (" + s + "); nothing was learned.");
    }
}
