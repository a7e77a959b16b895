package dev.credentials.cli.internal;

import dev.credentials.api.Credential;
import dev.credentials.api.CredentialId;
import dev.credentials.api.CredentialUpdate;
import dev.credentials.api.FieldSpec;
import dev.credentials.api.Secret;
import dev.credentials.api.spi.CredentialType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code credentials edit ID}: changes a credential's name, configuration or secrets. */
public final class EditCommand extends Command {
    public EditCommand() {
        super("edit", "edit ID [--name N] [--config k=v] [--clear-config k] [--secret k[=SOURCE]] [--clear-secret k]",
                Set.of(), Set.of("name", "config", "clear-config", "secret", "clear-secret"));
    }

    @Override
    public String help() {
        return """
                usage: credentials edit ID [--name N] [--config k=v]... [--clear-config k]... [--secret k[=SOURCE]]...
                                           [--clear-secret k]... [--json]

                Changes a credential. A changed secret or TARGET field resets the status to UNVERIFIED; changing a
                TARGET field requires entering every secret again. Secret sources are those of 'add'.
                """;
    }

    @Override
    public int run(Session s) {
        CredentialId id = Session.id(s.positionals(1, 1, "a credential id").get(0));
        CredentialUpdate.Builder u = CredentialUpdate.builder();
        s.args().get("name").ifPresent(u::name);
        s.args().all("config").forEach(c -> {
            Map.Entry<String, String> kv = Views.pair(c, "config");
            u.config(kv.getKey(), kv.getValue());
        });
        s.args().all("clear-config").forEach(u::clearConfig);
        s.args().all("clear-secret").forEach(u::clearSecret);
        if (u.build().isEmpty() && s.args().all("secret").isEmpty()) {
            throw new Args.UsageException("'edit' needs something to change: --name, --config, --secret, --clear-config"
                    + " or --clear-secret");
        }
        Credential current = s.manager().get(s.subject(), id);
        CredentialType type = AddCommand.installed(s, current.typeId());
        List<SecretInput.Spec> specs = AddCommand.secretSpecs(s, type);
        List<Secret> read = new ArrayList<>();
        try {
            for (SecretInput.Spec spec : specs) {
                Secret value = s.secrets().read(spec, type.field(spec.field()).map(FieldSpec::label).orElse(spec.field()));
                read.add(value);
                u.secret(spec.field(), value);
            }
            Credential c = s.manager().update(s.subject(), id, current.version(), u.build());
            if (s.json()) {
                s.printJson(Views.view(c));
            } else {
                s.out().println("edited " + c.id() + "  version " + c.version() + ", status " + c.status());
            }
            return 0;
        } finally {
            read.forEach(Secret::close);
        }
    }
}
