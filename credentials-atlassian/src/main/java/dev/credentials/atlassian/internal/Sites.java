package dev.credentials.atlassian.internal;

import dev.credentials.api.FieldError;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** The host rules of Atlassian Cloud. Not public API. */
public final class Sites {
    /** The gateway for scoped tokens and OAuth; a constant, never input. */
    public static final URI GATEWAY = URI.create("https://api.atlassian.com");
    /** The OAuth authorization server; a constant, never input. */
    public static final URI AUTH = URI.create("https://auth.atlassian.com");

    private static final Pattern CLOUD_HOST =
            Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.(atlassian\\.net|jira\\.com)");
    private static final Pattern CLOUD_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Sites() {}

    /**
     * Checks a Cloud site URL: https, a {@code <name>.atlassian.net} (or legacy {@code <name>.jira.com}) host, no
     * port other than 443, no path, query or fragment. Adds an error for {@code field} when it is not one.
     */
    public static void checkCloudSite(String field, String value, List<FieldError> errors) {
        if (value == null) {
            return;
        }
        if (cloudSite(value).isEmpty()) {
            errors.add(new FieldError(field, FieldError.Codes.INVALID_URL, "the site URL must look like"
                    + " https://your-site.atlassian.net (a custom domain will not do: Atlassian's APIs only answer on"
                    + " the atlassian.net address)"));
        }
    }

    /** The site's origin, {@code https://<host>}, if {@code value} is a valid Cloud site URL. */
    public static Optional<URI> cloudSite(String value) {
        try {
            URI u = new URI(value.strip());
            String host = u.getHost();
            if (!"https".equalsIgnoreCase(u.getScheme()) || host == null || u.getRawUserInfo() != null
                    || u.getRawQuery() != null || u.getRawFragment() != null
                    || (u.getPort() != -1 && u.getPort() != 443)
                    || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))) {
                return Optional.empty();
            }
            host = host.toLowerCase(Locale.ROOT);
            if (!CLOUD_HOST.matcher(host).matches()) {
                return Optional.empty();
            }
            return Optional.of(URI.create("https://" + host));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** The result for material whose site URL is not a Cloud site (validation should have stopped it earlier). */
    public static dev.credentials.api.VerificationResult notACloudSite() {
        return dev.credentials.api.VerificationResult.failed(dev.credentials.api.VerificationResult.FailureReason.MISCONFIGURED,
                "The site URL is not an Atlassian Cloud address; enter https://your-site.atlassian.net.");
    }

    /** A product's identity call through the gateway: {@code https://api.atlassian.com/ex/{product}/{cloudId}/...}. */
    public static URI gateway(Identity.Check check, String cloudId) {
        String product = check == Identity.Check.JIRA_CLOUD ? "jira" : "confluence";
        return join(GATEWAY, "/ex/" + product + "/" + cloudId + check.path());
    }

    /** True for a cloud id (a UUID). */
    public static boolean isCloudId(String value) {
        return value != null && CLOUD_ID.matcher(value).matches();
    }

    /** The products chosen in a comma-joined choice value, in a fixed order (Confluence, then Jira). */
    public static List<String> products(String value) {
        if (value == null) {
            return List.of();
        }
        List<String> chosen = List.of(value.split(","));
        return List.of("confluence", "jira").stream().filter(chosen::contains).toList();
    }

    /** An ISO date, if the value is one. */
    public static Optional<LocalDate> date(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(value));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** {@code base} with {@code path} appended, keeping any context path of the base. */
    public static URI join(URI base, String path) {
        String b = base.toString();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return URI.create(b + path);
    }
}
