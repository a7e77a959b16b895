package dev.credentials.atlassian.internal;

import dev.credentials.api.FieldKind;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;

/** Field specs the Atlassian types share. Not public API. */
public final class Fields {
    private Fields() {}

    /** The Cloud site URL, a TARGET. */
    public static FieldSpec cloudSite() {
        return FieldSpec.config("siteUrl", "Site URL", FieldKind.URL).required().roles(FieldRole.TARGET)
                .description("Your site's atlassian.net address, such as https://your-site.atlassian.net.").build();
    }

    /** Which products to check: Confluence, Jira or both. */
    public static FieldSpec products() {
        return FieldSpec.config("products", "Products", FieldKind.CHOICE).required().choices("confluence", "jira")
                .multiple().description("The products the credential is for; each one is checked on Verify.").build();
    }

    /** The admin-entered expiry of a token, since Atlassian's APIs do not reveal it. */
    public static FieldSpec tokenExpiry() {
        return FieldSpec.config("tokenExpiresOn", "Token expires on", FieldKind.DATE).roles(FieldRole.EXPIRY)
                .description("The expiry date Atlassian showed when the token was created (at most a year).").build();
    }
}
