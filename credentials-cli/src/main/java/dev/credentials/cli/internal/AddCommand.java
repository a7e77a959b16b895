package dev.credentials.cli.internal;

import dev.credentials.api.Credential;
import dev.credentials.api.FieldRole;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.NewCredential;
import dev.credentials.api.Secret;
import dev.credentials.api.UnknownCredentialTypeException;
import dev.credentials.api.spi.CredentialType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code credentials add}: stores a new credential; every argument is checked before any secret is asked for. */
public final class AddCommand extends Command {
    public AddCommand() {
        super("add", "add --type T --name N [--config k=v]... [--secret k[=SOURCE]]... [--share kind:id[=USE|MANAGE]]...",
                Set.of(), Set.of("type", "name", "config", "secret", "share", "request-id"));
    }

    @Override
    public String help() {
        return """
                usage: credentials add --type T --name N [--config k=v]... [--secret k[=SOURCE]]...
                                       [--share kind:id[=USE|MANAGE]]... [--request-id R] [--json]

                Adds a credential of type T (see 'credentials types T' for its fields). Secrets are never taken from the
                arguments: --secret k prompts without echo (or reads a line of standard input when not on a terminal),
                k=- reads standard input, k=@FILE a file, k=env:VAR an environment variable. The type and every
                argument are checked before any secret is read. --request-id makes a retried add create one credential.
                """;
    }

    @Override
    public int run(Session s) {
        s.positionals(0, 0, "");
        String typeId = s.args().get("type").orElseThrow(() ->
                new Args.UsageException("'add' needs --type; see 'credentials types'"));
        String name = s.args().get("name").orElseThrow(() -> new Args.UsageException("'add' needs --name"));
        CredentialType type = installed(s, typeId);
        NewCredential.Builder b = NewCredential.builder(typeId).name(name);
        s.args().all("config").forEach(c -> {
            Map.Entry<String, String> kv = Views.pair(c, "config");
            b.config(kv.getKey(), kv.getValue());
        });
        s.args().get("request-id").ifPresent(b::requestId);
        for (String text : s.args().all("share")) {
            b.share(Views.share(text));
        }
        List<SecretInput.Spec> specs = secretSpecs(s, type);
        List<Secret> read = new ArrayList<>();
        try {
            for (SecretInput.Spec spec : specs) {
                Secret value = s.secrets().read(spec, type.field(spec.field()).map(FieldSpec::label).orElse(spec.field()));
                read.add(value);
                b.secret(spec.field(), value);
            }
            Credential c = s.manager().create(s.subject(), b.build());
            if (s.json()) {
                s.printJson(Views.view(c));
            } else {
                s.out().println("added " + c.id() + "  " + c.name() + "  (" + c.typeId() + ", " + c.status() + ")");
            }
            return 0;
        } finally {
            read.forEach(Secret::close);
        }
    }

    /** The installed type, or an error naming the closest installed one. */
    static CredentialType installed(Session s, String typeId) {
        return s.manager().type(typeId).orElseThrow(() -> new UnknownCredentialTypeException("the credential type '"
                + Settings.cut(typeId) + "' is not installed" + Args.suggestion("", typeId,
                s.manager().types().stream().map(CredentialType::id).toList()) + "; see 'credentials types'"));
    }

    /** The {@code --secret} specs, each naming a secret field of the type; checked before any is read. */
    static List<SecretInput.Spec> secretSpecs(Session s, CredentialType type) {
        List<SecretInput.Spec> specs = new ArrayList<>();
        List<String> secretFields = type.fields().stream().filter(f -> f.secret() && !f.has(FieldRole.MANAGED))
                .map(FieldSpec::name).toList();
        for (String text : s.args().all("secret")) {
            SecretInput.Spec spec = SecretInput.spec(text);
            if (!secretFields.contains(spec.field())) {
                throw new Args.UsageException("the type " + type.id() + " has no secret field '"
                        + Settings.cut(spec.field()) + "'" + Args.suggestion("", spec.field(), secretFields)
                        + "; its secret fields: " + String.join(", ", secretFields));
            }
            specs.add(spec);
        }
        return specs;
    }
}
