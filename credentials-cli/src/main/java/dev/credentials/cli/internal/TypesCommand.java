package dev.credentials.cli.internal;

import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.UnknownCredentialTypeException;
import dev.credentials.api.spi.CredentialType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code credentials types [TYPE]}: the installed credential types, their fields and what each field is for. */
public final class TypesCommand extends Command {
    static final Map<FieldRole, String> ROLES = Map.of(
            FieldRole.TARGET, "decides where the secrets are sent; changing it requires entering every secret again",
            FieldRole.EXPIRY, "the date the credential stops working; at that date it turns FAILED (EXPIRED)",
            FieldRole.INTERNAL, "a secret given to the verifier but never handed to tools",
            FieldRole.HEADER_VALUE, "a secret sent in a header as it is: printable ASCII only",
            FieldRole.MANAGED, "kept by the library (a refreshed access token and its expiry); never entered");

    public TypesCommand() {
        super("types", "types [TYPE]                   the credential types, their fields and roles", Set.of(), Set.of());
    }

    @Override
    public String help() {
        return """
                usage: credentials types [TYPE] [--json]

                Lists the installed credential types (or one), each field with whether it is required, its kind, its
                roles and its description. Roles:
                  TARGET    %s
                  EXPIRY    %s
                  INTERNAL  %s
                  HEADER_VALUE  %s
                """.formatted(ROLES.get(FieldRole.TARGET), ROLES.get(FieldRole.EXPIRY), ROLES.get(FieldRole.INTERNAL),
                        ROLES.get(FieldRole.HEADER_VALUE));
    }

    @Override
    public int run(Session s) {
        List<String> p = s.positionals(0, 1, "at most one type id");
        List<CredentialType> types = new ArrayList<>(s.manager().types());
        if (!p.isEmpty()) {
            String id = p.get(0);
            types.removeIf(t -> !t.id().equals(id));
            if (types.isEmpty()) {
                throw new UnknownCredentialTypeException("the credential type '" + Settings.cut(id) + "' is not installed"
                        + Args.suggestion("", id, s.manager().types().stream().map(CredentialType::id).toList()));
            }
        }
        if (s.json()) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (CredentialType t : types) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", t.id());
                m.put("name", t.displayName());
                m.put("fields", t.fields().stream().map(f -> {
                    Map<String, Object> fm = new LinkedHashMap<>();
                    fm.put("name", f.name());
                    fm.put("label", f.label());
                    fm.put("kind", f.kind().name());
                    fm.put("required", f.required());
                    fm.put("secret", f.secret());
                    fm.put("roles", f.roles().stream().map(Enum::name).sorted().toList());
                    fm.put("choices", f.choices());
                    fm.put("multiple", f.multiple());
                    fm.put("description", f.description());
                    return fm;
                }).toList());
                out.add(m);
            }
            s.printJson(out);
            return 0;
        }
        boolean anyRole = false;
        for (CredentialType t : types) {
            s.out().println(t.id() + "  (" + t.displayName() + ")");
            for (FieldSpec f : t.fields()) {
                String what = f.secret() ? "secret" : f.kind().name().toLowerCase(Locale.ROOT);
                if (!f.choices().isEmpty()) {
                    what += " " + String.join(f.multiple() ? "," : "|", f.choices());
                }
                anyRole |= !f.roles().isEmpty();
                s.out().printf("    %-22s %-9s %s%s%n", f.name(), f.required() ? "required" : "optional", what,
                        f.roles().isEmpty() ? "" : " " + f.roles().stream().map(Enum::name).sorted().toList());
                if (!f.description().isBlank()) {
                    s.out().println("        " + f.description());
                }
            }
        }
        if (anyRole) {
            s.out().println();
            s.out().println("roles:");
            for (FieldRole r : FieldRole.values()) {
                s.out().printf("  %-12s %s%n", r.name(), ROLES.get(r));
            }
        }
        return 0;
    }
}
