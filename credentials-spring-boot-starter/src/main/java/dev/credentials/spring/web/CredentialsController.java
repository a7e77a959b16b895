package dev.credentials.spring.web;

import dev.credentials.api.Access;
import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialNotFoundException;
import dev.credentials.api.CredentialQuery;
import dev.credentials.api.CredentialStatus;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.FieldError;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Page;
import dev.credentials.api.Principal;
import dev.credentials.api.Secret;
import dev.credentials.api.Share;
import dev.credentials.api.Subject;
import dev.credentials.api.ValidationException;
import dev.credentials.api.VerificationResult;
import dev.credentials.api.spi.CredentialType;
import dev.credentials.core.CredentialManager;
import dev.credentials.spring.ObservedCredentials;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The REST API behind the admin screen, under {@code credentials.web.base-path} (default {@code /api/credentials}).
 * Every answer is JSON; secrets are accepted on create and update and never returned. The caller comes from the
 * {@link SubjectInterceptor}; every rule about who may do what is the manager's.
 */
@RestController
@RequestMapping("${credentials.web.base-path:/api/credentials}")
public class CredentialsController {
    private static final Set<String> CREATE = Set.of("type", "name", "config", "secrets", "shares", "requestId");
    private static final Set<String> UPDATE = Set.of("name", "config", "clearConfig", "secrets", "clearSecrets");
    private static final Set<String> SHARE = Set.of("principal", "access");
    private static final CacheControl NO_STORE = CacheControl.noStore();

    private final CredentialManager manager;
    private final ObservedCredentials observed;
    private final Bodies bodies;

    CredentialsController(ObservedCredentials observed, Bodies bodies) {
        this.manager = observed.manager();
        this.observed = observed;
        this.bodies = bodies;
    }

    /**
     * The installed types with their field specs: enough to draw the add form.
     *
     * @return the installed types with their field specs: enough to draw the add form
     */
    @GetMapping("/types")
    public ResponseEntity<Object> types() {
        List<Map<String, Object>> types = manager.types().stream().map(CredentialsController::type).toList();
        return ok(Map.of("items", types));
    }

    /**
     * One page of the credentials the caller may see.
     *
     * @param request the request
     * @param type the type
     * @param status the status
     * @param sharedWith the principal the credentials must be shared with, or empty
     * @param nameContains the name contains
     * @param pageSize the page size
     * @param pageToken the page token
     * @return one page of the credentials the caller may see
     */
    @GetMapping
    public ResponseEntity<Object> list(HttpServletRequest request,
                                       @RequestParam(name = "type", required = false) String type,
                                       @RequestParam(name = "status", required = false) String status,
                                       @RequestParam(name = "sharedWith", required = false) String sharedWith,
                                       @RequestParam(name = "nameContains", required = false) String nameContains,
                                       @RequestParam(name = "pageSize", required = false) String pageSize,
                                       @RequestParam(name = "pageToken", required = false) String pageToken) {
        List<FieldError> errors = new ArrayList<>();
        CredentialQuery.Builder q = CredentialQuery.builder();
        apply(errors, "type", type, q::typeId);
        apply(errors, "status", status, s -> q.status(enumValue(CredentialStatus.class, s)));
        apply(errors, "sharedWith", sharedWith, s -> q.sharedWith(principal(s)));
        apply(errors, "nameContains", nameContains, q::nameContains);
        apply(errors, "pageSize", pageSize, s -> q.pageSize(Integer.parseInt(s)));
        apply(errors, "pageToken", pageToken, q::pageToken);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        Page<Credential> page = manager.list(subject(request), q.build());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items().stream().map(this::summary).toList());
        body.put("nextPageToken", page.nextPageToken());
        return ok(body);
    }

    /**
     * One credential: status, configuration with secrets hidden, last verification and history.
     *
     * @param request the request
     * @param id the id
     * @return one credential: status, configuration with secrets hidden, last verification and history
     */
    @GetMapping("/{id}")
    public ResponseEntity<Object> get(HttpServletRequest request, @PathVariable("id") String id) {
        Subject subject = subject(request);
        CredentialId cid = id(id);
        Credential c = manager.get(subject, cid);
        return withVersion(ResponseEntity.ok(), c).body(detail(c, manager.history(subject, cid)));
    }

    /**
     * Creates a credential owned by the caller; 201 with its location and version.
     *
     * @param request the request
     * @return 201 with the credential
     */
    @PostMapping
    public ResponseEntity<Object> create(HttpServletRequest request) {
        Subject subject = subject(request);
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
                for (JsonNode s : shares.values()) {
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
        URI location = URI.create(request.getRequestURI().replaceAll("/+$", "") + "/" + c.id().value());
        return withVersion(ResponseEntity.created(location), c).body(detail(c, List.of()));
    }

    /**
     * Changes a credential; {@code If-Match} must carry the version the client read.
     *
     * @param request the request
     * @param id the id
     * @param ifMatch the if match
     * @return the changed credential
     */
    @PatchMapping("/{id}")
    public ResponseEntity<Object> update(HttpServletRequest request, @PathVariable("id") String id,
                                         @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        Subject subject = subject(request);
        CredentialId cid = id(id);
        long expected = expectedVersion(ifMatch);
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
        return withVersion(ResponseEntity.ok(), c).body(detail(c, manager.history(subject, cid)));
    }

    /**
     * Removes a credential; 204.
     *
     * @param request the request
     * @param id the id
     * @return 204 No Content
     */
    @DeleteMapping("/{id}")
    public ResponseEntity<Object> delete(HttpServletRequest request, @PathVariable("id") String id) {
        manager.delete(subject(request), id(id));
        return ResponseEntity.noContent().cacheControl(NO_STORE).build();
    }

    /**
     * Adds or replaces a principal's share.
     *
     * @param request the request
     * @param id the id
     * @return the credential with its shares
     */
    @PostMapping("/{id}/shares")
    public ResponseEntity<Object> share(HttpServletRequest request, @PathVariable("id") String id) {
        Subject subject = subject(request);
        CredentialId cid = id(id);
        JsonNode body = bodies.readObject(request, SHARE);
        List<FieldError> errors = new ArrayList<>();
        Optional<Share> share = share(errors, body, null);
        if (!errors.isEmpty() || share.isEmpty()) {
            throw new ValidationException(errors);
        }
        Credential c = manager.share(subject, cid, share.get());
        return withVersion(ResponseEntity.ok(), c).body(detail(c, manager.history(subject, cid)));
    }

    /**
     * Removes a principal's share; removing one that does not exist does nothing.
     *
     * @param request the request
     * @param id the id
     * @param kind the kind
     * @param principalId the principal id
     * @return the credential with its shares
     */
    @DeleteMapping("/{id}/shares/{kind}/{principalId}")
    public ResponseEntity<Object> unshare(HttpServletRequest request, @PathVariable("id") String id,
                                          @PathVariable("kind") String kind, @PathVariable("principalId") String principalId) {
        Subject subject = subject(request);
        CredentialId cid = id(id);
        List<FieldError> errors = new ArrayList<>();
        Principal[] principal = new Principal[1];
        attempt(errors, "principal", () -> principal[0] = new Principal(
                enumValue(Principal.Kind.class, kind), principalId));
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        Credential c = manager.unshare(subject, cid, principal[0]);
        return withVersion(ResponseEntity.ok(), c).body(detail(c, manager.history(subject, cid)));
    }

    /**
     * Checks the credential against the third party now; the answer holds the result and the credential after it.
     *
     * @param request the request
     * @param id the id
     * @return the result and the credential
     */
    @PostMapping("/{id}/verify")
    public ResponseEntity<Object> verify(HttpServletRequest request, @PathVariable("id") String id) {
        Subject subject = subject(request);
        CredentialId cid = id(id);
        VerificationResult result = observed.verify(subject, cid);
        Credential c = manager.get(subject, cid);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", result(result));
        body.put("credential", detail(c, manager.history(subject, cid)));
        return withVersion(ResponseEntity.ok(), c).body(body);
    }

    // ------------------------------------------------------------------------------------------------ JSON out

    private static Map<String, Object> type(CredentialType t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("displayName", t.displayName());
        m.put("fields", t.fields().stream().map(CredentialsController::field).toList());
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
        m.put("config", new java.util.TreeMap<>(c.config()));
        // Names of the secret fields that hold a value: never a value, a length or a hint of one.
        m.put("secretFields", c.secretFields().stream().sorted().toList());
        m.put("createdAt", instant(c.createdAt()));
        m.put("contentVersion", c.contentVersion());
        m.put("history", history.stream().map(CredentialsController::result).toList());
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

    private static ResponseEntity<Object> ok(Object body) {
        return ResponseEntity.ok().cacheControl(NO_STORE).body(body);
    }

    private static ResponseEntity.BodyBuilder withVersion(ResponseEntity.BodyBuilder b, Credential c) {
        return b.eTag("\"" + c.version() + "\"").cacheControl(NO_STORE);
    }

    // ------------------------------------------------------------------------------------------------ JSON in

    private static Subject subject(HttpServletRequest request) {
        Object s = request.getAttribute(SubjectInterceptor.SUBJECT);
        if (!(s instanceof Subject subject)) {
            // The interceptor runs first for every path of this controller; reaching here without it is a bug.
            throw new IllegalStateException("no subject on the request");
        }
        return subject;
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
        if (!n.isString()) {
            errors.add(invalid(field, "must be a string"));
            return null;
        }
        return n.stringValue();
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
            if (!e.getValue().isString()) {
                errors.add(invalid(path, "must be a string"));
                continue;
            }
            attempt(errors, path, () -> sink.accept(e.getKey(), e.getValue().stringValue()));
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
        for (JsonNode v : n.values()) {
            String path = field + "[" + i++ + "]";
            if (!v.isString()) {
                errors.add(invalid(path, "must be a string"));
            } else {
                attempt(errors, path, () -> sink.accept(v.stringValue()));
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
        if (p == null || !p.isObject() || kind == null || !kind.isString() || id == null || !id.isString()) {
            errors.add(invalid(prefix + "principal", "must be {\"kind\": USER|GROUP|AGENT|TOOL, \"id\": \"...\"}"));
        }
        if (access == null || !access.isString()) {
            errors.add(invalid(prefix + "access", "must be USE or MANAGE"));
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        Share[] share = new Share[1];
        attempt(errors, prefix + "principal", () -> share[0] = new Share(
                new Principal(enumValue(Principal.Kind.class, kind.stringValue()), id.stringValue()),
                Access.USE));
        attempt(errors, prefix + "access", () -> enumValue(Access.class, access.stringValue()));
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new Share(share[0].principal(), enumValue(Access.class, access.stringValue())));
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
