package com.adsconnect.account.apidocs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.media.Schema;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

/**
 * Describes a record the way Jackson writes it, so that a client generated from the documents
 * trusts exactly what it gets:
 *
 * <ul>
 *   <li>Jackson writes every component of a record, null included: in an answer, every property is
 *       present ({@code required}). Records a request body carries, at any depth, keep the rules a
 *       request has (required where validation says {@code @NotNull}): a client may leave the others
 *       out. A record written with {@code @JsonInclude(NON_NULL)} leaves its null components out:
 *       only the others are required.</li>
 *   <li>A component that can be null says so with JSpecify's {@link Nullable}: its schema allows
 *       {@code null} (OpenAPI 3.1: {@code "null"} among its types, or one of a reference and
 *       {@code null}).</li>
 * </ul>
 *
 * {@code ContractConformanceCheck} validates every answer body the suite receives against these
 * schemas, so a component that is null without {@code @Nullable} fails the build.
 */
@Component
class RecordSchemas implements ModelConverter {

    private static final String NULL = "null";

    private final ObjectProvider<RequestMappingHandlerMapping> handlers;
    private volatile Set<Class<?>> requestTypes;

    RecordSchemas(ObjectProvider<RequestMappingHandlerMapping> handlers) {
        this.handlers = handlers;
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Schema resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
        Schema resolved = chain.hasNext() ? chain.next().resolve(type, context, chain) : null;
        if (resolved == null) {
            return null;
        }
        Class<?> raw = Json.mapper().constructType(type.getType()).getRawClass();
        if (raw == null || !raw.isRecord()) {
            return resolved;
        }
        Schema model = resolved.get$ref() == null ? resolved : context.getDefinedModels().get(ApiContractConfiguration.schemaName(resolved.get$ref()));
        if (model == null || model.getProperties() == null) {
            return resolved;
        }
        Map<String, Schema> properties = model.getProperties();
        boolean nullsLeftOut = leavesNullsOut(raw);
        boolean answerOnly = !requestTypes().contains(raw);
        Set<String> required = new LinkedHashSet<>(model.getRequired() == null ? List.of() : model.getRequired());
        for (RecordComponent component : raw.getRecordComponents()) {
            String name = jsonName(component);
            Schema property = properties.get(name);
            if (property == null) {
                continue;
            }
            boolean nullable = component.getAnnotatedType().isAnnotationPresent(Nullable.class);
            if (nullable && !nullsLeftOut) {
                properties.put(name, allowingNull(property));
            }
            if (answerOnly && !(nullable && nullsLeftOut)) {
                required.add(name);
            }
        }
        model.setRequired(required.isEmpty() ? null : new ArrayList<>(required));
        return resolved;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Schema allowingNull(Schema property) {
        if (property.get$ref() == null && property.getTypes() == null && property.getOneOf() == null
                && property.getAnyOf() == null && property.getAllOf() == null) {
            return property; // any JSON value, null among them
        }
        if (property.get$ref() != null || property.getTypes() == null) {
            if (property.getOneOf() != null && property.getOneOf().stream().anyMatch(option -> ((Schema) option).getTypes() != null
                    && ((Schema) option).getTypes().contains(NULL))) {
                return property; // resolved before: already one of something and null
            }
            Schema wrapped = new Schema<>().oneOf(List.of(property, new Schema<>().types(Set.of(NULL))));
            wrapped.setDescription(property.getDescription());
            property.setDescription(null);
            return wrapped;
        }
        Set<String> types = new LinkedHashSet<>(property.getTypes());
        types.add(NULL);
        property.setTypes(types);
        if (property.getEnum() != null && !property.getEnum().contains(null)) {
            List<Object> values = new ArrayList<>(property.getEnum());
            values.add(null);
            property.setEnum(values);
        }
        return property;
    }

    private static boolean leavesNullsOut(Class<?> raw) {
        JsonInclude include = raw.getAnnotation(JsonInclude.class);
        return include != null && include.value() != JsonInclude.Include.ALWAYS && include.value() != JsonInclude.Include.USE_DEFAULTS;
    }

    private static String jsonName(RecordComponent component) {
        JsonProperty renamed = component.getAnnotation(JsonProperty.class);
        return renamed != null && !renamed.value().isEmpty() ? renamed.value() : component.getName();
    }

    /** The records a request body carries, at any depth: computed once, from the handler methods. */
    private Set<Class<?>> requestTypes() {
        Set<Class<?>> types = requestTypes;
        if (types == null) {
            Set<Class<?>> found = new HashSet<>();
            handlers.orderedStream().forEach(mapping -> mapping.getHandlerMethods().values().forEach(handler -> {
                for (MethodParameter parameter : handler.getMethodParameters()) {
                    if (parameter.hasParameterAnnotation(RequestBody.class)) {
                        collect(ResolvableType.forMethodParameter(parameter), found);
                    }
                }
            }));
            types = Set.copyOf(found);
            requestTypes = types;
        }
        return types;
    }

    private static void collect(ResolvableType type, Set<Class<?>> found) {
        Class<?> raw = type.resolve();
        if (raw == null) {
            return;
        }
        for (ResolvableType generic : type.getGenerics()) {
            collect(generic, found);
        }
        if (type.isArray()) {
            collect(type.getComponentType(), found);
        }
        if (raw.isRecord() && found.add(raw)) {
            for (RecordComponent component : raw.getRecordComponents()) {
                collect(ResolvableType.forType(component.getGenericType()), found);
            }
        }
    }
}
