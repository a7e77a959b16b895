package dev.credentials.api;

/** How a field's value is entered and checked. Whether it is secret is the separate {@link FieldSpec#secret()}. */
public enum FieldKind {
    /** Free text. */
    TEXT,
    /** An absolute URL, no user-info, no fragment. */
    URL,
    /** An e-mail address. */
    EMAIL,
    /** An ISO {@code yyyy-MM-dd} date. */
    DATE,
    /** One of {@link FieldSpec#choices()}; several, comma-joined, when {@link FieldSpec#multiple()}. */
    CHOICE
}
