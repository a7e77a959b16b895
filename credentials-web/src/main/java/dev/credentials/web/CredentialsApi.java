package dev.credentials.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credentials.api.Access;
import dev.credentials.api.AccessDeniedException;
import dev.credentials.api.ConcurrentUpdateException;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialStoreException;
import dev.credentials.api.CredentialUnavailableException;
import dev.credentials.api.CredentialUnreadableException;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.CredentialUsage;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.PrincipalUsage;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.UnknownCredentialTypeException;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.core.CredentialManager;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API behind the admin screen, without a web framework: a request in, a response out. Every answer is JSON
 * (RFC 9457 problem details for errors); secrets are accepted on create and update and never returned. The caller is
 * the {@link Subject} the server authenticated; every rule about who may do what is the manager's. The Spring Boot
 * starter and the CLI's loopback console both serve this class, so the API behaves the same in both.
 *
 * <p>Resources below the base path: {@code GET /types}; {@code GET} and {@code POST} on the base itself (list,
 * create); {@code GET}, {@code PATCH} (with {@code If-Match}) and {@code DELETE} on {@code /{id}};
 * {@code POST /{id}/shares}; {@code DELETE /{id}/shares/{kind}/{principalId}}; {@code POST /{id}/verify};
 * {@code GET /{id}/usage?days=N} (who used it in the last N days, 1 to 366, default 30; needs the audit trail).
 *
 * <p>Thread-safe and stateless: one instance serves any number of concurrent requests.
 */
public final class CredentialsApi {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialsApi.class);
    private static final Set<String> CREATE = Set.of("type", "name", "config", "secrets", "shares", "requestId");
    private static final Set<String> UPDATE = Set.of("name", "config", "clearConfig", "secrets", "clearSecrets");
    private static final Set<String> SHARE = Set.of("principal", "access");
    private static final String JSON = "application/json";
    private static final String NO_STORE = "no-store";
    private static final int DEFAULT_USAGE_DAYS = 30;
    private static final int MAX_USAGE_DAYS = 366;

    private final CredentialManager manager;
    private final BiFunction<Subject, CredentialId, VerificationResult> verify;
    private final Bodies bodies;

    private CredentialsApi(CredentialManager manager, BiFunction<Subject, CredentialId, VerificationResult> verify,
                           int maxBodyBytes) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.verify = Objects.requireNonNull(verify, "verify");
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 1, was " + maxBodyBytes);
        }
        this.bodies = new Bodies(maxBodyBytes);
    }

    /**
     * The API over {@code manager}, reading request bodies of at most {@code maxBodyBytes}.
     *
     * @param manager the manager every request goes to; it decides who may see and change what
     * @param verify how {@code POST /{id}/verify} checks a credential: {@code manager::verify}, or a wrapper that
     *               observes the call; called on the request's thread, so it must be thread-safe
     * @param maxBodyBytes the largest request body read, in bytes; a larger one is answered 413
     * @return a new API, ready to serve concurrent requests
     * @throws NullPointerException if {@code manager} or {@code verify} is null
     * @throws IllegalArgumentException if {@code maxBodyBytes} is less than 1
     */
    public static CredentialsApi of(CredentialManager manager,
                                    BiFunction<Subject, CredentialId, VerificationResult> verify, int maxBodyBytes) {
        return new CredentialsApi(manager, verify, maxBodyBytes);
    }

    /**
     * The largest request body this API reads, as given to {@link #of}.
     *
     * @return the limit in bytes, at least 1
     */
    public int maxBodyBytes() {
        return bodies.maxBytes();
    }

    /**
     * Answers {@code request} for {@code subject}. Never throws for anything the client sent or the manager refused:
     * every failure becomes a problem answer; an unexpected exception is logged by class name only. Reads the
     * request's body at most once, on the calling thread.
     *
     * @param subject the caller, as the server authenticated it; every access rule is checked against it
     * @param request the request, its path below the API's base path
     * @return the answer to send: JSON on success, {@code application/problem+json} on failure; never null
     * @throws NullPointerException if {@code subject} is null
     */
    public ApiResponse handle(Subject subject, ApiRequest request) {
        Objects.requireNonNull(subject, "subject");
        Optional<ApiResponse> refused = screen(request, bodies.maxBytes());
        if (refused.isPresent()) {
            return refused.get();
        }
        try {
            return route(subject, request);
        } catch (RuntimeException e) {
            return problem(e, request.requestUri());
        }
    }

    /**
     * The refusal of a request that may not reach any handler whoever sends it: a POST, PUT or PATCH that is not
     * {@code application/json} (415, which also keeps cross-site HTML forms out) or declares a body over
     * {@code maxBodyBytes} (413). A server may call it before authenticating, so an oversized or cross-site
     * request is refused without work; {@link #handle} calls it again.
     *
     * @param request the request, of which only the method, headers and URI are read, never the body
     * @param maxBodyBytes the largest body the server accepts, in bytes
     * @return the problem answer for a refused request; empty when the request may go on
     */
    public static Optional<ApiResponse> screen(ApiRequest request, int maxBodyBytes) {
        String method = request.method();
        if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            if (!isJson(request.contentType())) {
                return Optional.of(problem(Problems.Type.UNSUPPORTED_MEDIA_TYPE,
                        "Send requests with Content-Type: application/json.", request.requestUri()));
            }
            if (request.contentLength() > maxBodyBytes) {
                return Optional.of(problem(Problems.Type.BODY_TOO_LARGE,
                        "The request body is larger than " + maxBodyBytes + " bytes.", request.requestUri()));
            }
        }
        return Optional.empty();
    }

    /**
     * A problem answer as {@link #handle} writes them, for the servers' own refusals (not logged in, wrong host,
     * shutting down) so that every error of the API has one shape.
     *
     * @param type the kind of problem; it sets the status, {@code type} URI and title
     * @param detail a sentence for people that must not contain anything the client sent
     * @param instance the request's path, for the {@code instance} member; null leaves it out
     * @return an {@code application/problem+json} answer with {@code Cache-Control: no-store}
     */
    public static ApiResponse problem(Problems.Type type, String detail, String instance) {
        return problem(type, detail, instance, List.of(), Map.of());
    }

    // ------------------------------------------------------------------------------------------------ routes

    private ApiResponse route(Subject subject, ApiRequest request) {
        String path = request.path();
        String method = request.method();
        if (path.isEmpty() || path.equals("/")) {
            return switch (method) {
                case "GET" -> list(subject, request);
                case "POST" -> create(subject, request);
                default -> notAllowed(request, "GET, POST");
            };
        }
        List<String> segments = segments(path);
        if (segments == null) {
            return noSuchPath(request);
        }
        if (segments.size() == 1 && segments.get(0).equals("types")) {
            return method.equals("GET") ? types() : notAllowed(request, "GET");
        }
        if (segments.size() == 1) {
            return switch (method) {
                case "GET" -> get(subject, segments.get(0));
                case "PATCH" -> update(subject, segments.get(0), request);
                case "DELETE" -> delete(subject, segments.get(0));
                default -> notAllowed(request, "GET, PATCH, DELETE");
            };
        }
        if (segments.size() == 2 && segments.get(1).equals("shares")) {
            return method.equals("POST") ? share(subject, segments.get(0), request) : notAllowed(request, "POST");
        }
        if (segments.size() == 2 && segments.get(1).equals("verify")) {
            return method.equals("POST") ? verify(subject, segments.get(0)) : notAllowed(request, "POST");
        }
        if (segments.size() == 2 && segments.get(1).equals("usage")) {
            return method.equals("GET") ? usage(subject, segments.get(0), request) : notAllowed(request, "GET");
        }
        if (segments.size() == 4 && segments.get(1).equals("shares")) {
            return method.equals("DELETE") ? unshare(subject, segments.get(0), segments.get(2), segments.get(3))
                    : notAllowed(request, "DELETE");
        }
        return noSuchPath(request);
    }

    /** The decoded segments of {@code /a/b/c}; null when one is empty or does not decode. */
    private static List<String> segments(String path) {
        if (!path.startsWith("/")) {
            return null;
        }
        String[] raw = path.substring(1).split("/", -1);
        List<String> out = new ArrayList<>(raw.length);
        for (String s : raw) {
            String decoded = decode(s);
            if (decoded == null || decoded.isEmpty()) {
                return null;
            }
            out.add(decoded);
        }
        return out;
    }

    /** Percent-decodes one path segment or query part as UTF-8; null when malformed. */
    private static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The query's parameters, the first value of each; {@code +} is a space, as in an HTML form. */
    private static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode((eq < 0 ? pair : pair.substring(0, eq)).replace('+', ' '));
            String value = decode((eq < 0 ? "" : pair.substring(eq + 1)).replace('+', ' '));
            if (key == null || value == null) {
                throw new ValidationException(List.of(invalid("query", "is not a well-formed query string")));
            }
            params.putIfAbsent(key, value);
        }
        return params;
    }

    private ApiResponse types() {
        List<Map<String, Object>> types = manager.types().stream().map(CredentialsApi::type).toList();
        return ok(Map.of("items", types));
    }

    private ApiResponse list(Subject subject, ApiRequest request) {
        Map<String, String> params = query(request.rawQuery());
        List<FieldError> errors = new ArrayList<>();
        CredentialQuery.Builder q = CredentialQuery.builder();
        apply(errors, "type", params.get("type"), q::typeId);
        apply(errors, "status", params.get("status"), s -> q.status(enumValue(CredentialStatus.class, s)));
        apply(errors, "sharedWith", params.get("sharedWith"), s -> q.sharedWith(principal(s)));
        apply(errors, "nameContains", params.get("nameContains"), q::nameContains);
        apply(errors, "pageSize", params.get("pageSize"), s -> q.pageSize(Integer.parseInt(s)));
        apply(errors, "pageToken", params.get("pageToken"), q::pageToken);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        Page<Credential> page = manager.list(subject, q.build());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items().stream().map(this::summary).toList());
        body.put("nextPageToken", page.nextPageToken());
        return ok(body);
    }

    private ApiResponse get(Subject subject, String id) {
        CredentialId cid = id(id);
        Credential c = manager.get(subject, cid);
        return withVersion(200, c, detail(c, manager.history(subject, cid)), Map.of());
    }

    private ApiResponse create(Subject subject, ApiRequest request) {
        JsonNode body = bodies.readObject(request, CREATE);
        List<FieldError> errors = new ArrayList<>();
        String typeId = string(errors, body, "type", true);
        String name = string(errors, body, "name", true);
        NewCredential.Builder b = NewCredential.builder(typeId == null ? "" : typeId);
        if (name != null) {
            b.name(name);
        }
        strings(errors, body, "config", b::config);
        strings(errors, body, "secrets", (k, v) -> b.secret(k, Secret.of(v)));
        JsonNode shares = body.get("shares");
        if (shares != null && !shares.isNull()) {
            if (!shares.isArray()) {
                errors.add(invalid("shares", "must be an array of {principal, access}"));
            } else {
                int i = 0;
                for (JsonNode s : shares) {
                    share(errors, s, "shares[" + i++ + "]").ifPresent(b::share);
                }
            }
        }
        String requestId = string(errors, body, "requestId", false);
        if (requestId != null) {
            attempt(errors, "requestId", () -> b.requestId(requestId));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        Credential c = manager.create(subject, b.build());
        String location = request.requestUri().replaceAll("/+$", "") + "/" + c.id().value();
        return withVersion(201, c, detail(c, List.of()), Map.of("Location", location));
    }

    private ApiResponse update(Subject subject, String id, ApiRequest request) {
        CredentialId cid = id(id);
        long expected = expectedVersion(request.ifMatch());
        JsonNode body = bodies.readObject(request, UPDATE);
        List<FieldError> errors = new ArrayList<>();
        CredentialUpdate.Builder u = CredentialUpdate.builder();
        String name = string(errors, body, "name", false);
        if (name != null) {
            u.name(name);
        }
        strings(errors, body, "config", u::config);
        strings(errors, body, "secrets", (k, v) -> u.secret(k, Secret.of(v)));
        names(errors, body, "clearConfig", u::clearConfig);
        names(errors, body, "clearSecrets", u::clearSecret);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        Credential c = manager.update(subject, cid, expected, u.build());
        return withVersion(200, c, detail(c, manager.history(subject, cid)), Map.of());
    }

    private ApiResponse delete(Subject subject, String id) {
        manager.delete(subject, id(id));
        return new ApiResponse(204, Map.of("Cache-Control", NO_STORE), new byte[0]);
    }

    private ApiResponse share(Subject subject, String id, ApiRequest request) {
        CredentialId cid = id(id);
        JsonNode body = bodies.readObject(request, SHARE);
        List<FieldError> errors = new ArrayList<>();
        Optional<Share> share = share(errors, body, null);
        if (!errors.isEmpty() || share.isEmpty()) {
            throw new ValidationException(errors);
        }
        Credential c = manager.share(subject, cid, share.get());
        return withVersion(200, c, detail(c, manager.history(subject, cid)), Map.of());
    }

    private ApiResponse unshare(Subject subject, String id, String kind, String principalId) {
        CredentialId cid = id(id);
        List<FieldError> errors = new ArrayList<>();
        Principal[] principal = new Principal[1];
        attempt(errors, "principal", () -> principal[0] = new Principal(
                enumValue(Principal.Kind.class, kind), principalId));
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        Credential c = manager.unshare(subject, cid, principal[0]);
        return withVersion(200, c, detail(c, manager.history(subject, cid)), Map.of());
    }

    private ApiResponse verify(Subject subject, String id) {
        CredentialId cid = id(id);
        VerificationResult result = verify.apply(subject, cid);
        Credential c = manager.get(subject, cid);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", result(result));
        body.put("credential", detail(c, manager.history(subject, cid)));
        return withVersion(200, c, body, Map.of());
    }

    private ApiResponse usage(Subject subject, String id, ApiRequest request) {
        CredentialId cid = id(id);
        String raw = query(request.rawQuery()).get("days");
        int days = DEFAULT_USAGE_DAYS;
        if (raw != null) {
            List<FieldError> errors = new ArrayList<>();
            int[] parsed = new int[1];
            attempt(errors, "days", () -> {
                parsed[0] = Integer.parseInt(raw);
                if (parsed[0] < 1 || parsed[0] > MAX_USAGE_DAYS) {
                    throw new IllegalArgumentException("must be between 1 and " + MAX_USAGE_DAYS);
                }
            });
            if (!errors.isEmpty()) {
                throw new ValidationException(errors);
            }
            days = parsed[0];
        }
        // The API has no clock of its own: "the last N days" is counted back from the server's time.
        Instant since = Instant.now().minus(Duration.ofDays(days));
        CredentialUsage usage;
        try {
            usage = manager.usage(subject, cid, since);
        } catch (UnsupportedOperationException e) {
            throw new ProblemException(Problems.Type.NO_AUDIT_TRAIL,
                    "This store keeps no audit trail, so the credential's usage is not known.");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("credential", usage.credential().value());
        body.put("since", instant(usage.since()));
        body.put("days", days);
        body.put("agents", usage.agents().stream().map(CredentialsApi::principalUsage).toList());
        body.put("tools", usage.tools().stream().map(CredentialsApi::principalUsage).toList());
        body.put("users", usage.users().stream().map(CredentialsApi::principalUsage).toList());
        body.put("uses", usage.uses());
        body.put("refusals", usage.refusals());
        return ok(body);
    }

    // ------------------------------------------------------------------------------------------------ JSON out

    private static Map<String, Object> principalUsage(PrincipalUsage u) {
        Map<String, Object> m = principal(u.principal());
        m.put("uses", u.uses());
        m.put("lastUsed", instant(u.lastUsed()));
        return m;
    }

    private static Map<String, Object> type(CredentialType t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("displayName", t.displayName());
        m.put("fields", t.fields().stream().map(CredentialsApi::field).toList());
        return m;
    }

    private static Map<String, Object> field(FieldSpec f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", f.name());
        m.put("label", f.label());
        m.put("kind", f.kind().name());
        m.put("required", f.required());
        m.put("secret", f.secret());
        m.put("roles", f.roles().stream().map(Enum::name).sorted().toList());
        m.put("choices", f.choices());
        m.put("multiple", f.multiple());
        m.put("description", f.description());
        return m;
    }

    private Map<String, Object> summary(Credential c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id().value());
        m.put("name", c.name());
        m.put("type", c.typeId());
        m.put("typeName", manager.type(c.typeId()).map(CredentialType::displayName).orElse(c.typeId()));
        m.put("owner", principal(c.owner()));
        m.put("sharedWith", c.shares().stream().map(s -> {
            Map<String, Object> p = principal(s.principal());
            p.put("access", s.access().name());
            return p;
        }).toList());
        m.put("status", c.status().name());
        m.put("lastVerification", c.lastVerification() == null ? null : result(c.lastVerification()));
        m.put("updatedAt", instant(c.updatedAt()));
        m.put("version", c.version());
        return m;
    }

    private Map<String, Object> detail(Credential c, List<VerificationResult> history) {
        Map<String, Object> m = summary(c);
        m.put("config", new TreeMap<>(c.config()));
        // Names of the secret fields that hold a value: never a value, a length or a hint of one.
        m.put("secretFields", c.secretFields().stream().sorted().toList());
        m.put("createdAt", instant(c.createdAt()));
        m.put("contentVersion", c.contentVersion());
        m.put("history", history.stream().map(CredentialsApi::result).toList());
        return m;
    }

    private static Map<String, Object> principal(Principal p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", p.kind().name());
        m.put("id", p.id());
        return m;
    }

    private static Map<String, Object> result(VerificationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", r.outcome().name());
        m.put("reason", r.reason() == null ? null : r.reason().name());
        m.put("message", r.message());
        m.put("checkedAt", instant(r.checkedAt()));
        m.put("elapsedMillis", r.elapsed() == null ? null : r.elapsed().toMillis());
        m.put("retryAfter", instant(r.retryAfter()));
        return m;
    }

    private static String instant(Instant i) {
        return i == null ? null : i.toString();
    }

    private ApiResponse ok(Object body) {
        return new ApiResponse(200, Map.of("Content-Type", JSON, "Cache-Control", NO_STORE), Bodies.write(body));
    }

    private ApiResponse withVersion(int status, Credential c, Object body, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("ETag", "\"" + c.version() + "\"");
        headers.put("Cache-Control", NO_STORE);
        headers.put("Content-Type", JSON);
        return new ApiResponse(status, headers, Bodies.write(body));
    }

    // ------------------------------------------------------------------------------------------------ problems

    private static ApiResponse notAllowed(ApiRequest request, String allow) {
        return problem(Problems.Type.METHOD_NOT_ALLOWED, "This path takes " + allow + ".", request.requestUri(),
                List.of(), Map.of("Allow", allow));
    }

    private static ApiResponse noSuchPath(ApiRequest request) {
        return problem(Problems.Type.NO_SUCH_PATH, "No resource of the credentials API has this path.",
                request.requestUri());
    }

    private static ApiResponse problem(RuntimeException e, String instance) {
        if (e instanceof ProblemException p) {
            return problem(p.type(), p.getMessage(), instance, p.errors(), Map.of());
        }
        if (e instanceof CredentialNotFoundException) {
            // One answer whether the credential is absent, invisible or in another tenant.
            return problem(Problems.Type.NOT_FOUND, "No credential with this id is visible to you.", instance);
        }
        if (e instanceof AccessDeniedException) {
            return problem(Problems.Type.FORBIDDEN, e.getMessage(), instance);
        }
        if (e instanceof ValidationException v) {
            return problem(Problems.Type.VALIDATION, "Fix the fields listed in errors and send it again.", instance,
                    v.errors(), Map.of());
        }
        if (e instanceof UnknownCredentialTypeException) {
            // The exception's message quotes the submitted type id; a problem detail never repeats what was sent.
            return problem(Problems.Type.UNKNOWN_TYPE,
                    "No installed credential type has this id; the types endpoint lists the installed ones.", instance,
                    List.of(new FieldError("type", "UNKNOWN_TYPE", "no installed credential type has this id")),
                    Map.of());
        }
        if (e instanceof ConcurrentUpdateException) {
            return problem(Problems.Type.VERSION_CONFLICT,
                    "The credential changed since you read it; read it again and reapply your change.", instance);
        }
        if (e instanceof CredentialUnreadableException) {
            LOG.warn("A credential could not be decrypted: {}", e.getClass().getName());
            return problem(Problems.Type.UNREADABLE,
                    "The stored credential cannot be decrypted with the configured keys.", instance);
        }
        if (e instanceof CredentialUnavailableException u) {
            // Whole seconds, rounded up, at least one: a client that retries at once would only add load.
            long seconds = u.retryAfter().map(d -> Math.max(1, d.plusMillis(999).toSeconds())).orElse(5L);
            return problem(Problems.Type.CREDENTIAL_UNAVAILABLE, "The credential's token cannot be refreshed right now;"
                    + " nothing was lost. Try again after Retry-After seconds.", instance, List.of(),
                    Map.of("Retry-After", Long.toString(seconds)));
        }
        if (e instanceof CredentialStoreException s) {
            LOG.warn("The credential store failed: {} (retryable: {})", e.getClass().getName(), s.retryable());
            return problem(Problems.Type.STORE_UNAVAILABLE,
                    s.retryable() ? "The store is unavailable; try again shortly." : "The store failed.", instance);
        }
        // Only the class: a message from a third-party library could quote what it was given.
        LOG.error("Unexpected {} in the credentials API", e.getClass().getName());
        return problem(Problems.Type.INTERNAL, "Something went wrong on the server.", instance);
    }

    private static ApiResponse problem(Problems.Type type, String detail, String instance, List<FieldError> errors,
                                       Map<String, String> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.uri().toString());
        body.put("title", type.title());
        body.put("status", type.status());
        body.put("detail", detail);
        if (instance != null) {
            body.put("instance", instance);
        }
        if (!errors.isEmpty()) {
            body.put("errors", errors.stream().map(e -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("field", e.field());
                m.put("code", e.code());
                m.put("message", e.message());
                return m;
            }).toList());
        }
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Content-Type", Problems.PROBLEM_JSON);
        headers.put("Cache-Control", NO_STORE);
        return new ApiResponse(type.status(), headers, Bodies.write(body));
    }

    // ------------------------------------------------------------------------------------------------ JSON in

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return type.toLowerCase(Locale.ROOT).equals(JSON);
    }

    private static CredentialId id(String id) {
        if (!CredentialId.isWellFormed(id)) {
            // A malformed id cannot name a credential: the same answer as any unknown one.
            throw new CredentialNotFoundException("credential not found");
        }
        return CredentialId.of(id);
    }

    private static long expectedVersion(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            throw new ProblemException(Problems.Type.PRECONDITION_REQUIRED,
                    "Send If-Match with the ETag of the credential you read, so a concurrent edit is not lost.");
        }
        String v = ifMatch.strip();
        if (v.length() > 2 && v.startsWith("\"") && v.endsWith("\"")) {
            try {
                long version = Long.parseLong(v.substring(1, v.length() - 1));
                if (version >= 0) {
                    return version;
                }
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new ValidationException(List.of(new FieldError("If-Match", FieldError.Codes.INVALID,
                "must be the ETag of the credential, a version number in double quotes")));
    }

    private static String string(List<FieldError> errors, JsonNode body, String field, boolean required) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                errors.add(new FieldError(field, FieldError.Codes.REQUIRED, "is required"));
            }
            return null;
        }
        if (!n.isTextual()) {
            errors.add(invalid(field, "must be a string"));
            return null;
        }
        return n.textValue();
    }

    private static void strings(List<FieldError> errors, JsonNode body, String field,
                                BiConsumer<String, String> sink) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return;
        }
        if (!n.isObject()) {
            errors.add(invalid(field, "must be an object of field names to string values"));
            return;
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            String path = field + "." + Bodies.printable(e.getKey());
            if (!e.getValue().isTextual()) {
                errors.add(invalid(path, "must be a string"));
                continue;
            }
            attempt(errors, path, () -> sink.accept(e.getKey(), e.getValue().textValue()));
        }
    }

    private static void names(List<FieldError> errors, JsonNode body, String field, Consumer<String> sink) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return;
        }
        if (!n.isArray()) {
            errors.add(invalid(field, "must be an array of field names"));
            return;
        }
        int i = 0;
        for (JsonNode v : n) {
            String path = field + "[" + i++ + "]";
            if (!v.isTextual()) {
                errors.add(invalid(path, "must be a string"));
            } else {
                attempt(errors, path, () -> sink.accept(v.textValue()));
            }
        }
    }

    private static Optional<Share> share(List<FieldError> errors, JsonNode s, String path) {
        String prefix = path == null ? "" : path + ".";
        if (!s.isObject()) {
            errors.add(invalid(path == null ? "body" : path, "must be an object {principal, access}"));
            return Optional.empty();
        }
        JsonNode p = s.get("principal");
        JsonNode kind = p == null ? null : p.get("kind");
        JsonNode id = p == null ? null : p.get("id");
        JsonNode access = s.get("access");
        int before = errors.size();
        if (p == null || !p.isObject() || kind == null || !kind.isTextual() || id == null || !id.isTextual()) {
            errors.add(invalid(prefix + "principal", "must be {\"kind\": USER|GROUP|AGENT|TOOL, \"id\": \"...\"}"));
        }
        if (access == null || !access.isTextual()) {
            errors.add(invalid(prefix + "access", "must be USE or MANAGE"));
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        Principal[] principal = new Principal[1];
        attempt(errors, prefix + "principal", () -> principal[0] =
                new Principal(enumValue(Principal.Kind.class, kind.textValue()), id.textValue()));
        attempt(errors, prefix + "access", () -> enumValue(Access.class, access.textValue()));
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Share(principal[0], enumValue(Access.class, access.textValue())));
    }

    private static Principal principal(String kindAndId) {
        int colon = kindAndId.indexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("must be kind:id, e.g. group:engineering");
        }
        return new Principal(enumValue(Principal.Kind.class, kindAndId.substring(0, colon)),
                kindAndId.substring(colon + 1));
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name());
        }
        throw new IllegalArgumentException("must be one of " + String.join(", ", names));
    }

    private static void apply(List<FieldError> errors, String field, String value, Consumer<String> sink) {
        if (value != null) {
            attempt(errors, field, () -> sink.accept(value));
        }
    }

    /**
     * Runs one step of building a request, turning a refusal into a field error. Messages from our own checks and
     * from the API's builders describe the rule, never the value; a number that does not parse gets a fixed message.
     */
    private static void attempt(List<FieldError> errors, String field, Runnable step) {
        try {
            step.run();
        } catch (ValidationException e) {
            for (FieldError fe : e.errors()) {
                errors.add(new FieldError(field, fe.code(), fe.message()));
            }
        } catch (NumberFormatException e) {
            errors.add(invalid(field, "must be a whole number"));
        } catch (IllegalArgumentException e) {
            errors.add(invalid(field, e.getMessage() == null ? "is not valid" : e.getMessage()));
        }
    }

    private static FieldError invalid(String field, String message) {
        return new FieldError(field, FieldError.Codes.INVALID, message);
    }
}
