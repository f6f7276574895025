package com.adsconnect.devinfra.stub;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the sandboxes' WireMock extensions share: form and query decoding, JSON answers. */
public final class StubResponses {

    private StubResponses() {
    }

    /** {@code a=1&b=x%20y} as a map; for query strings and form-encoded bodies alike. */
    public static Map<String, String> formDecode(String raw) {
        Map<String, String> values = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    public static ResponseDefinition json(int status, Map<String, ?> body) {
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(JSONObjectUtils.toJSONString(new LinkedHashMap<>(body))).build();
    }
}
