package com.adsconnect.account.preferences;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.IllformedLocaleException;
import java.util.Locale;

/** A well-formed BCP 47 language tag with a language, such as {@code en-US} or {@code de}. */
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = LanguageTag.Validator.class)
public @interface LanguageTag {

    String message() default "must be a BCP 47 language tag such as en-US";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<LanguageTag, String> {
        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            try {
                Locale locale = new Locale.Builder().setLanguageTag(value).build();
                return !locale.getLanguage().isEmpty() && value.length() <= 35;
            } catch (IllformedLocaleException e) {
                return false;
            }
        }
    }
}
