package io.switchboard.events;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ContractBoundaryTest {

    private final JavaClasses contracts = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.switchboard.events");

    @Test
    void contractsDoNotDependOnSpring() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework..").check(contracts);
    }

    @Test
    void everyEventTypeIsARecordWithAWireName() {
        classes().that().areAnnotatedWith(EventType.class).should().beRecords().check(contracts);
    }
}
