package dev.credentials.jdbc;

import dev.credentials.api.CredentialStoreException;
import java.util.Locale;

/** The databases the JDBC store supports. */
public enum Dialect {
    /** PostgreSQL 12 or later: production. */
    POSTGRESQL,
    /** H2 2.x: the embedded default (a file or memory database). */
    H2;

    /** The dialect for a JDBC product name. */
    static Dialect detect(String productName) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (p.contains("postgres")) {
            return POSTGRESQL;
        }
        if (p.equals("h2")) {
            return H2;
        }
        throw new CredentialStoreException("the credential store supports PostgreSQL and H2, not " + productName, false);
    }
}
