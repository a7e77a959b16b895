package dev.credentials.atlassian;

import dev.credentials.integration.Endpoints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.credentials.api.CredentialMaterial;
import dev.credentials.api.Secret;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.VerificationResult.FailureReason;
import dev.credentials.api.spi.VerificationContext;
import dev.credentials.api.spi.Verifier;
import dev.credentials.atlassian.internal.Classifier;
import dev.credentials.integration.VerifierHttp;
import dev.credentials.atlassian.internal.Identity;
import dev.credentials.atlassian.internal.IdentityRun;
import dev.credentials.integration.ThirdPartyJson;
import dev.credentials.atlassian.internal.Sites;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies {@link AtlassianOAuth2Type}: refreshes the access token when it is missing, about to expire or refused,
 * stores the rotated refresh token before using the new access token, requires the configured site among the
 * grant's accessible resources (exact host match), then calls each product's identity endpoint through the gateway.
 *
 * <p>Atlassian rotates refresh tokens and revokes the whole grant when an old one is reused outside a short leeway.
 * Within one JVM, refreshes with the same refresh token are serialized, and a refresh token already exchanged is not
 * exchanged again: the second check answers INCONCLUSIVE and the next one uses the stored new tokens. Across JVMs the
 * manager's single-flight does not reach; the store lease that does is future work. Thread-safe.
 */
public final class AtlassianOAuth2Verifier implements Verifier {
    private static final Duration REFRESH_EARLY = Duration.ofSeconds(60);
    private static final Duration REMEMBER_USED = Duration.ofMinutes(15);
    private static final Object[] LOCKS = new Object[64];
    /** SHA-256 of (client id, refresh token) pairs already exchanged, with when. Never the tokens themselves. */
    private static final Map<String, Instant> USED = new ConcurrentHashMap<>();
    private static final VerificationResult NEEDS_REFRESH =
            VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "refresh needed");

    static {
        for (int i = 0; i < LOCKS.length; i++) {
            LOCKS[i] = new Object();
        }
    }

    private final Endpoints endpoints;

    /** Calls Atlassian directly; used by {@link java.util.ServiceLoader}. */
    public AtlassianOAuth2Verifier() {
        this(Endpoints.direct());
    }

    /**
     * Sends every call through {@code endpoints}.
     *
     * @param endpoints where the requests actually go ({@link Endpoints#via(java.net.URI)} for a stub)
     */
    public AtlassianOAuth2Verifier(Endpoints endpoints) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    @Override
    public String typeId() {
        return AtlassianOAuth2Type.ID;
    }

    @Override
    public VerificationResult verify(VerificationContext ctx, CredentialMaterial material) {
        URI site = Sites.cloudSite(material.config().getOrDefault("siteUrl", "")).orElse(null);
        if (site == null) {
            return Sites.notACloudSite();
        }
        String access = usableAccessToken(ctx, material).orElse(null);
        boolean refreshed = false;
        if (access == null) {
            Refresh r = refresh(ctx, material);
            if (r.stop != null) {
                return r.stop;
            }
            access = r.accessToken;
            refreshed = true;
        }
        VerificationResult result = check(ctx, material, site, access, !refreshed);
        if (result == NEEDS_REFRESH) {
            Refresh r = refresh(ctx, material);
            if (r.stop != null) {
                return r.stop;
            }
            result = check(ctx, material, site, r.accessToken, false);
        }
        return result;
    }

    private static Optional<String> usableAccessToken(VerificationContext ctx, CredentialMaterial m) {
        Optional<Secret> token = m.secret("accessToken");
        Optional<Secret> expiry = m.secret("accessTokenExpiresAt");
        if (token.isEmpty() || expiry.isEmpty()) {
            return Optional.empty();
        }
        try {
            Instant expiresAt = Instant.parse(expiry.get().reveal());
            return expiresAt.isAfter(ctx.clock().instant().plus(REFRESH_EARLY))
                    ? Optional.of(token.get().reveal()) : Optional.empty();
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Accessible resources, then each product's identity; {@link #NEEDS_REFRESH} on a 401 when a refresh may help. */
    private VerificationResult check(VerificationContext ctx, CredentialMaterial m, URI site, String access,
                                     boolean mayRefresh) {
        String label = site.getHost();
        Classifier.Target grant = new Classifier.Target(Classifier.Where.GATEWAY, label, "Atlassian", "access token",
                Optional.empty(), ctx.clock());
        HttpRequest.Builder request = HttpRequest.newBuilder().GET().header("Accept", "application/json")
                .header("Authorization", "Bearer " + access);
        VerifierHttp.Exchange ex = VerifierHttp.send(ctx, endpoints, request,
                Sites.join(Sites.GATEWAY, "/oauth/token/accessible-resources"), "api.atlassian.com", false);
        if (ex.stopped()) {
            return ex.stop();
        }
        if (ex.reply().status() == 401 && mayRefresh) {
            return NEEDS_REFRESH;
        }
        Optional<VerificationResult> failure = Classifier.failure(ex.reply(), grant);
        if (failure.isPresent()) {
            return failure.get();
        }
        Optional<String> cloudId = cloudIdFor(ex.reply(), label);
        if (cloudId.isEmpty()) {
            return VerificationResult.failed(FailureReason.PERMISSION_DENIED, "The app's grant no longer includes "
                    + label + ": access was removed or this site was not granted. Reconnect the app and grant it"
                    + " access to this site.");
        }
        return IdentityRun.run(ctx, endpoints,
                Sites.products(m.config().get("products")).stream().map(Identity.Check::cloud).toList(),
                IdentityRun.Plan.of(check -> Sites.gateway(check, cloudId.get()),
                check -> new Classifier.Target(Classifier.Where.GATEWAY, label, check.product(), "access token",
                                Optional.empty(), ctx.clock()),
                "Bearer " + access), false, reply -> reply.status() == 401 && mayRefresh ? NEEDS_REFRESH : null);
    }

    private static Optional<String> cloudIdFor(VerifierHttp.Reply reply, String host) {
        Optional<JsonNode> parsed = reply.truncated() ? Optional.empty() : ThirdPartyJson.parse(reply.body());
        if (parsed.isEmpty() || !parsed.get().isArray()) {
            return Optional.empty();
        }
        for (JsonNode resource : parsed.get()) {
            Optional<String> url = ThirdPartyJson.text(resource, "url");
            Optional<String> id = ThirdPartyJson.text(resource, "id");
            if (url.isPresent() && id.isPresent() && Sites.isCloudId(id.get())) {
                try {
                    String h = URI.create(url.get()).getHost();
                    if (h != null && h.equalsIgnoreCase(host)) {
                        return id;
                    }
                } catch (IllegalArgumentException e) {
                    // not a URL: not this site
                }
            }
        }
        return Optional.empty();
    }

    private record Refresh(String accessToken, VerificationResult stop) {}

    private Refresh refresh(VerificationContext ctx, CredentialMaterial m) {
        String clientId = m.config().get("clientId");
        Secret refreshToken = m.requireSecret("refreshToken");
        String key = fingerprint(clientId, refreshToken);
        synchronized (LOCKS[Math.floorMod(key.hashCode(), LOCKS.length)]) {
            Instant now = ctx.clock().instant();
            USED.values().removeIf(t -> t.isBefore(now.minus(REMEMBER_USED)));
            if (USED.containsKey(key)) {
                return new Refresh(null, VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE,
                        "Another check has just refreshed this credential's tokens; verify again to use the new ones."));
            }
            ObjectNode body = ThirdPartyJson.object()
                    .put("grant_type", "refresh_token")
                    .put("client_id", clientId)
                    .put("client_secret", m.requireSecret("clientSecret").reveal())
                    .put("refresh_token", refreshToken.reveal());
            byte[] bytes = ThirdPartyJson.bytes(body);
            HttpRequest.Builder request = HttpRequest.newBuilder()
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                    .header("Content-Type", "application/json").header("Accept", "application/json");
            VerifierHttp.Exchange ex = VerifierHttp.send(ctx, endpoints, request, Sites.join(Sites.AUTH, "/oauth/token"),
                    "auth.atlassian.com", false);
            java.util.Arrays.fill(bytes, (byte) 0);
            if (ex.stopped()) {
                return new Refresh(null, ex.stop());
            }
            VerifierHttp.Reply r = ex.reply();
            if (r.status() == 429 || r.status() >= 500) {
                Classifier.Target t = new Classifier.Target(Classifier.Where.GATEWAY, "auth.atlassian.com",
                        "Atlassian sign-in", "refresh token", Optional.empty(), ctx.clock());
                return new Refresh(null, Classifier.failure(r, t).orElseThrow());
            }
            Optional<JsonNode> json = r.truncated() ? Optional.empty() : ThirdPartyJson.parse(r.body());
            if (r.ok()) {
                Optional<String> access = json.flatMap(n -> ThirdPartyJson.text(n, "access_token"));
                if (access.isEmpty()) {
                    return new Refresh(null, VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE,
                            "Atlassian's token endpoint answered without an access token; nothing was learned."));
                }
                USED.put(key, now);
                long expiresIn = json.map(n -> n.path("expires_in").asLong(3600)).orElse(3600L);
                Map<String, Secret> secrets = new LinkedHashMap<>();
                secrets.put("accessToken", Secret.of(access.get()));
                secrets.put("accessTokenExpiresAt", Secret.of(now.plusSeconds(Math.max(0, expiresIn)).toString()));
                json.flatMap(n -> ThirdPartyJson.text(n, "refresh_token")).ifPresent(t -> secrets.put("refreshToken", Secret.of(t)));
                boolean saved;
                try {
                    saved = ctx.storeRefreshedSecrets(secrets);
                } finally {
                    secrets.values().forEach(Secret::close);
                }
                if (!saved) {
                    return new Refresh(null, VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE,
                            "The credential changed while it was being checked; verify it again."));
                }
                return new Refresh(access.get(), null);
            }
            String error = json.flatMap(n -> ThirdPartyJson.text(n, "error")).orElse("");
            return new Refresh(null, switch (error) {
                case "invalid_grant" -> VerificationResult.failed(FailureReason.EXPIRED, "Atlassian no longer accepts"
                        + " this authorization: the refresh token expired or was revoked (a changed password, 90 days"
                        + " unused, or a year old). Reconnect the app to Atlassian.");
                case "unauthorized_client" -> VerificationResult.failed(FailureReason.INVALID_CREDENTIALS,
                        "Atlassian no longer accepts this refresh token (it was rotated or revoked). Reconnect the app"
                                + " to Atlassian.");
                case "invalid_client", "access_denied" -> VerificationResult.failed(FailureReason.MISCONFIGURED,
                        "Atlassian rejected the app's client id or client secret; check them in the developer console."
                                + " Users do not need to reconnect.");
                default -> r.status() == 401
                        ? VerificationResult.failed(FailureReason.MISCONFIGURED, "Atlassian rejected the app's client"
                                + " credentials; check the client id and secret in the developer console.")
                        : VerificationResult.inconclusive(FailureReason.NOT_VERIFIABLE, "Atlassian's token endpoint"
                                + " gave an unexpected answer (" + r.status() + "); nothing was learned.");
            });
        }
    }

    private static String fingerprint(String clientId, Secret refreshToken) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(String.valueOf(clientId).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(refreshToken.reveal().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
