package dev.credentials.models;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

/** WireMock answers shaped like a provider's API: the one helper the model-provider tests share. */
final class JsonAnswers {
    private JsonAnswers() {}

    /** A JSON answer with {@code status} and {@code body}, declared as {@code application/json}. */
    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }
}
