package dev.credentials.api;

import dev.credentials.api.internal.Checks;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One field of a credential type, as an administration screen shows it and the manager validates it.
 *
 * @param name stable identifier, 1 to 64 characters of {@code [A-Za-z0-9_.-]}
 * @param label short text for people
 * @param kind how the value is checked
 * @param required whether a value must be present
 * @param secret whether the value is a secret (sealed, never shown)
 * @param roles what the field means to the library
 * @param choices the allowed values of a {@link FieldKind#CHOICE} field, else empty
 * @param multiple whether a choice field takes several comma-joined values
 * @param description one or two sentences of help, may be empty
 */
public record FieldSpec(String name, String label, FieldKind kind, boolean required, boolean secret,
                        Set<FieldRole> roles, List<String> choices, boolean multiple, String description) {

    /**
     * Checks the components and copies the roles and choices.
     *
     * @param name stable identifier, 1 to 64 characters of {@code [A-Za-z0-9_.-]}
     * @param label short text for people
     * @param kind how the value is checked
     * @param required whether a value must be present
     * @param secret whether the value is a secret (sealed, never shown)
     * @param roles what the field means to the library
     * @param choices the allowed values of a {@link FieldKind#CHOICE} field, else empty
     * @param multiple whether a choice field takes several comma-joined values
     * @param description one or two sentences of help, may be empty
     */
    public FieldSpec {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("field name must be 1 to 64 characters of [A-Za-z0-9_.-]: " + name);
        }
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(kind, "kind");
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
        choices = List.copyOf(choices);
        description = description == null ? "" : description;
        if (kind == FieldKind.CHOICE && choices.isEmpty()) {
            throw new IllegalArgumentException("choice field " + name + " needs choices");
        }
        if (kind != FieldKind.CHOICE && (!choices.isEmpty() || multiple)) {
            throw new IllegalArgumentException("only a choice field has choices: " + name);
        }
        for (String c : choices) {
            if (c.isEmpty() || c.contains(",") || Checks.hasControl(c)) {
                throw new IllegalArgumentException("choices must be non-empty, without commas: " + name);
            }
        }
        if (roles.contains(FieldRole.INTERNAL) && !secret) {
            throw new IllegalArgumentException("only a secret field can be INTERNAL: " + name);
        }
        if (roles.contains(FieldRole.TARGET) && secret) {
            throw new IllegalArgumentException("a TARGET field cannot be secret: " + name);
        }
    }

    /**
     * A builder for a non-secret field.
     *
     * @param name the name
     * @param label the label
     * @param kind the kind
     * @return a builder for a non-secret field
     */
    public static Builder config(String name, String label, FieldKind kind) {
        return new Builder(name, label, kind, false);
    }

    /**
     * A builder for a secret text field.
     *
     * @param name the name
     * @param label the label
     * @return a builder for a secret text field
     */
    public static Builder secret(String name, String label) {
        return new Builder(name, label, FieldKind.TEXT, true);
    }

    /**
     * True when the field has {@code role}.
     *
     * @param role the role
     * @return true when the field has {@code role}
     */
    public boolean has(FieldRole role) {
        return roles.contains(role);
    }

    /** Builds a {@link FieldSpec}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final String label;
        private final FieldKind kind;
        private final boolean secret;
        private boolean required;
        private final Set<FieldRole> roles = EnumSet.noneOf(FieldRole.class);
        private List<String> choices = List.of();
        private boolean multiple;
        private String description = "";

        private Builder(String name, String label, FieldKind kind, boolean secret) {
            this.name = name;
            this.label = label;
            this.kind = kind;
            this.secret = secret;
        }

        /**
         * The field must have a value.
         *
         * @return the field must have a value
         */
        public Builder required() {
            this.required = true;
            return this;
        }

        /**
         * Adds roles.
         *
         * @param roles the roles
         * @return this builder
         */
        public Builder roles(FieldRole... roles) {
            this.roles.addAll(List.of(roles));
            return this;
        }

        /**
         * The allowed values of a choice field.
         *
         * @param choices the choices
         * @return the allowed values of a choice field
         */
        public Builder choices(String... choices) {
            this.choices = List.of(choices);
            return this;
        }

        /**
         * A choice field that takes several comma-joined values.
         *
         * @return a choice field that takes several comma-joined values
         */
        public Builder multiple() {
            this.multiple = true;
            return this;
        }

        /**
         * Help text.
         *
         * @param description the description
         * @return this builder
         */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /**
         * Builds the spec; throws {@link IllegalArgumentException} for an inconsistent one.
         *
         * @return the spec
         */
        public FieldSpec build() {
            return new FieldSpec(name, label, kind, required, secret, roles, choices, multiple, description);
        }
    }
}
