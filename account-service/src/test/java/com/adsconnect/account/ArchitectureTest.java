package com.adsconnect.account;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Rules of the code's shape that review alone would not keep. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("com.adsconnect.account");

    @Test
    void featurePackagesHaveNoCycles() {
        slices().matching("com.adsconnect.account.(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
