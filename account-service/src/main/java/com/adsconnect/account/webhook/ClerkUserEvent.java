package com.adsconnect.account.webhook;

import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.user.ClerkIdentity;
import java.time.Instant;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** The parts of Clerk's {@code user.*} webhook payloads this service uses. */
record ClerkUserEvent(String type, ClerkIdentity identity) {

    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    static ClerkUserEvent parse(JsonNode payload) {
        if (payload == null || !payload.isObject() || !payload.path("type").isString() || !payload.path("data").isObject()) {
            throw ApiProblem.malformed("A Clerk webhook needs a string 'type' and an object 'data'.");
        }
        String type = payload.get("type").asString();
        JsonNode data = payload.get("data");
        if (!type.startsWith("user.")) {
            return new ClerkUserEvent(type, null);
        }
        String id = data.path("id").isString() ? data.get("id").asString() : null;
        if (id == null || !USER_ID.matcher(id).matches()) {
            throw ApiProblem.malformed("data.id is not a Clerk user id.");
        }
        if ("user.deleted".equals(type)) {
            return new ClerkUserEvent(type, new ClerkIdentity(id, null, null, null, null, null));
        }
        if (!data.path("updated_at").isIntegralNumber()) {
            throw ApiProblem.malformed("data.updated_at must be a Unix time in milliseconds.");
        }
        return new ClerkUserEvent(type, new ClerkIdentity(id,
                primaryEmail(data),
                text(data, "first_name"),
                text(data, "last_name"),
                text(data, "image_url"),
                Instant.ofEpochMilli(data.get("updated_at").asLong())));
    }

    private static String primaryEmail(JsonNode data) {
        String primaryId = text(data, "primary_email_address_id");
        String first = null;
        for (JsonNode address : data.path("email_addresses")) {
            String email = text(address, "email_address");
            if (first == null) {
                first = email;
            }
            if (primaryId != null && primaryId.equals(text(address, "id"))) {
                return email;
            }
        }
        return first;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }
}
