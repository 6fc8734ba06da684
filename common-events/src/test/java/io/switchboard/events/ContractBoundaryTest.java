package io.switchboard.events;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.switchboard.events.stream.RunEvent;
import org.junit.jupiter.api.Test;

/** {@code common-events} holds contracts only: records, names, versions, the envelope and its codec. */
class ContractBoundaryTest {

    private final JavaClasses contracts = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.switchboard.events");

    @Test
    void contractsDoNotDependOnSpringMemcachedOrKafkaAdministration() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                "org.springframework..", "net.spy..", "org.apache.kafka.clients.admin..",
                "org.apache.kafka.clients.consumer..", "org.apache.kafka.clients.producer.internals..")
                .check(contracts);
    }

    @Test
    void everyEventTypeAndRunStreamEventIsARecord() {
        classes().that().areAnnotatedWith(EventType.class).should().beRecords().check(contracts);
        classes().that().implement(RunEvent.class).should().beRecords().check(contracts);
    }
}
