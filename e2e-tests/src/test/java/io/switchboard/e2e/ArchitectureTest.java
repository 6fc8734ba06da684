package io.switchboard.e2e;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Each service owns its code: services meet only through contracts and the shared platform wiring. */
class ArchitectureTest {

    private static final List<String> SERVICES = List.of("gateway", "planner", "worker", "composer", "operations");

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.switchboard");

    @ParameterizedTest
    @ValueSource(strings = {"gateway", "planner", "worker", "composer", "operations"})
    void aServiceUsesNoOtherServicesCode(String service) {
        String[] others = SERVICES.stream().filter(other -> !other.equals(service))
                .map(other -> "io.switchboard." + other + "..").toArray(String[]::new);

        noClasses().that().resideInAPackage("io.switchboard." + service + "..")
                .should().dependOnClassesThat().resideInAnyPackage(others)
                .check(classes);
    }

    /**
     * The public edge neither takes nor keeps dead letters: it routes their requests to the
     * operations service, and consumes no topic and no queue.
     */
    @Test
    void theGatewayHasNoDeadLetterCodeAndConsumesNothing() {
        noClasses().that().resideInAPackage("io.switchboard.gateway..")
                .should().resideInAPackage("..deadletters..")
                .orShould().dependOnClassesThat().resideInAnyPackage("io.switchboard.operations..",
                        "org.springframework.amqp..", "com.rabbitmq..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("org.springframework.kafka.annotation.KafkaListener")
                .check(classes);
    }

    @Test
    void theCapabilitiesOfAServiceDoNotDependOnEachOtherInACycle() {
        slices().matching("io.switchboard.(*).(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void contractsAndPlatformWiringDoNotReachIntoServices() {
        noClasses().that().resideInAnyPackage("io.switchboard.events..", "io.switchboard.platform..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        SERVICES.stream().map(s -> "io.switchboard." + s + "..").toArray(String[]::new))
                .check(classes);
    }
}
