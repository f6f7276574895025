package com.adsconnect.account.preferences;

import com.adsconnect.account.json.JsonMergePatch;
import com.adsconnect.account.problem.ApiProblem;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The preferences document format: its version, the migrations from older versions, and the
 * strict reading that names the offending field of an invalid document.
 *
 * <p>Version history: 1 was the first front-end release's flat document ({@code darkMode},
 * {@code emailNotifications}, {@code locale}, {@code timeZone}); 2 is {@link Preferences}.
 * Stored documents of an older version are upgraded when read and written back at the current
 * version with the next change.
 */
@Component
public class PreferencesSchema {

    public static final int CURRENT_VERSION = 2;

    private final JsonMapper strictMapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    private final ObjectReader reader = strictMapper.readerFor(Preferences.class);
    private final JsonNode defaultsTree = strictMapper.valueToTree(Preferences.defaults());
    private final Validator validator;

    PreferencesSchema(Validator validator) {
        this.validator = validator;
    }

    /** The full document, every field present, for a stored (possibly partial, possibly old) one. */
    public Preferences read(int version, JsonNode stored) {
        return toPreferences(JsonMergePatch.apply(defaultsTree, upgrade(version, stored)));
    }

    /**
     * Applies a merge patch to the current preferences. A null member resets that field to its
     * default. Throws a validation problem naming the field when the result is invalid.
     */
    public Preferences patch(Preferences current, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw ApiProblem.malformed("A merge patch of the preferences must be a JSON object.");
        }
        rejectUnknownMembers(patch, defaultsTree, "");
        JsonNode patched = JsonMergePatch.apply(toTree(current), patch);
        // removed members fall back to their defaults
        return toPreferences(JsonMergePatch.apply(defaultsTree, patched));
    }

    /** Even {@code "typo": null}, which a merge would ignore, is refused, so that typos surface. */
    private static void rejectUnknownMembers(JsonNode patch, JsonNode schema, String prefix) {
        for (var member : patch.properties()) {
            String path = prefix.isEmpty() ? member.getKey() : prefix + "." + member.getKey();
            if (!schema.has(member.getKey())) {
                throw ApiProblem.invalidField(path, "is not a preferences field");
            }
            JsonNode expected = schema.get(member.getKey());
            if (expected.isObject() && member.getValue().isObject()) {
                rejectUnknownMembers(member.getValue(), expected, path);
            }
        }
    }

    public JsonNode toTree(Preferences preferences) {
        return strictMapper.valueToTree(preferences);
    }

    JsonNode upgrade(int version, JsonNode stored) {
        if (version > CURRENT_VERSION || version < 1) {
            throw new IllegalStateException("preferences document of unknown schema version " + version);
        }
        JsonNode document = stored;
        if (version == 1) {
            document = fromVersion1(document);
        }
        return document;
    }

    private static JsonNode fromVersion1(JsonNode v1) {
        ObjectNode v2 = JsonNodeFactory.instance.objectNode();
        if (v1.has("darkMode") && v1.get("darkMode").isBoolean()) {
            v2.put("theme", v1.get("darkMode").asBoolean() ? "DARK" : "LIGHT");
        }
        if (v1.has("locale")) {
            v2.set("locale", v1.get("locale"));
        }
        if (v1.has("timeZone")) {
            v2.set("timeZone", v1.get("timeZone"));
        }
        if (v1.has("emailNotifications") && v1.get("emailNotifications").isBoolean()) {
            ObjectNode channels = JsonNodeFactory.instance.objectNode();
            channels.put("email", v1.get("emailNotifications").asBoolean());
            ObjectNode notifications = JsonNodeFactory.instance.objectNode();
            notifications.set("channels", channels);
            v2.set("notifications", notifications);
        }
        return v2;
    }

    private Preferences toPreferences(JsonNode document) {
        Preferences preferences;
        try {
            preferences = reader.readValue(document);
        } catch (UnrecognizedPropertyException e) {
            throw ApiProblem.invalidField(path(e), "is not a preferences field");
        } catch (JacksonException e) {
            throw ApiProblem.invalidField(path(e), "has the wrong type or an unknown value");
        }
        Set<ConstraintViolation<Preferences>> violations = validator.validate(preferences);
        if (!violations.isEmpty()) {
            throw ApiProblem.validation(violations.stream()
                    .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                    .map(v -> new ApiProblem.FieldError(v.getPropertyPath().toString(), v.getMessage()))
                    .toList());
        }
        return preferences;
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        List<JacksonException.Reference> references = e.getPath();
        for (JacksonException.Reference reference : references) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "(document)" : path.toString();
    }
}
