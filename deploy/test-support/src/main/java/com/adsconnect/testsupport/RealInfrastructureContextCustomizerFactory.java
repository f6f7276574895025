package com.adsconnect.testsupport;

import java.util.List;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;

/** Registered in {@code META-INF/spring.factories}; acts on classes annotated {@link RealInfrastructure}. */
public final class RealInfrastructureContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        var annotation = MergedAnnotations.from(testClass, SearchStrategy.TYPE_HIERARCHY).get(RealInfrastructure.class);
        if (!annotation.isPresent()) {
            return null;
        }
        RealInfrastructure spec = annotation.synthesize();
        return new RealInfrastructureContextCustomizer(testClass, List.of(spec.value()), spec.postgresProxy());
    }
}
