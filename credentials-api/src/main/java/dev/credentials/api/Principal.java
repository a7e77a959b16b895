package dev.credentials.api;

import dev.credentials.api.internal.Checks;
import java.util.Objects;

/**
 * Someone or something a credential can be shared with: a user, a group, an agent or a tool.
 *
 * @param kind what the principal is
 * @param id the platform's id for it: 1 to 128 characters of well-formed Unicode (no lone surrogate, no
 *     noncharacter), no control characters; anything else is a {@link ValidationException} for the field
 *     {@code principalId}
 */
public record Principal(Kind kind, String id) {
    /** The longest principal id accepted. */
    public static final int MAX_ID_LENGTH = 128;

    /** The kinds of principal. */
    public enum Kind {
        /** A person. */
        USER,
        /** A group of principals, as the platform defines it. */
        GROUP,
        /** An AI agent. */
        AGENT,
        /** A tool an agent runs. */
        TOOL
    }

    /**
     * Checks the components: a kind, and an id of 1 to {@value #MAX_ID_LENGTH} characters without control characters.
     *
     * @param kind what the principal is
     * @param id the platform's id for it: 1 to 128 characters of well-formed Unicode (no lone surrogate, no
     *     noncharacter), no control characters; anything else is a {@link ValidationException} for the field {@code
     *     principalId}
     */
    public Principal {
        Objects.requireNonNull(kind, "principal kind");
        Checks.identifier(id, "principalId", "principal id", MAX_ID_LENGTH);
    }

    /**
     * A user of the platform.
     *
     * @param id the id
     * @return a user of the platform
     */
    public static Principal user(String id) {
        return new Principal(Kind.USER, id);
    }

    /**
     * A group of users.
     *
     * @param id the id
     * @return a group of users
     */
    public static Principal group(String id) {
        return new Principal(Kind.GROUP, id);
    }

    /**
     * An AI agent.
     *
     * @param id the id
     * @return an AI agent
     */
    public static Principal agent(String id) {
        return new Principal(Kind.AGENT, id);
    }

    /**
     * A tool an agent calls.
     *
     * @param id the id
     * @return a tool an agent calls
     */
    public static Principal tool(String id) {
        return new Principal(Kind.TOOL, id);
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + id;
    }
}
