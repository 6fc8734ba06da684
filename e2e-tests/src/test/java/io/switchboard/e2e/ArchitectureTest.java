package io.switchboard.e2e;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every module of the build is checked: each service owns its code, and services meet only through
 * contracts, the shared platform wiring, the tool SPI and the run store; the tools, the contracts and the benchmark's
 * programs use no service. A module these rules do not know fails {@link #everyModuleOfTheBuildIsChecked}.
 */
class ArchitectureTest {

    /** The package ({@code io.switchboard.<package>}) of each module's code. */
    private static final Map<String, String> PACKAGES = Map.ofEntries(
            entry("common-events", "events"),
            entry("platform-support", "platform"),
            entry("tools", "tools"),
            entry("run-store", "store"),
            entry("gateway-service", "gateway"),
            entry("planner-service", "planner"),
            entry("worker-service", "worker"),
            entry("composer-service", "composer"),
            entry("operations-service", "operations"),
            entry("bench", "bench"),
            entry("sync-chain", "syncchain"),
            entry("single-process", "single"),
            entry("e2e-tests", "e2e"));

    /** Besides its own and outside libraries, the modules' packages a module may use; every service the same. */
    private static final Map<String, Set<String>> MAY_USE = Map.of(
            "events", Set.of(),
            "platform", Set.of("events"),
            "tools", Set.of(),
            "store", Set.of("events", "platform"),
            "bench", Set.of("events", "platform", "store"),
            "syncchain", Set.of("events", "tools"),
            "single", Set.of());
    private static final Set<String> A_SERVICE_MAY_USE = Set.of("events", "platform", "tools", "store");

    private static final List<String> MODULES = modules();

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.switchboard");

    @Test
    void everyModuleOfTheBuildIsChecked() {
        assertThat(PACKAGES).as("the package of every module in pom.xml").containsKeys(MODULES.toArray(String[]::new));
        assertThat(modulesWithCode()).allSatisfy(module -> assertThat(classes.stream()
                        .anyMatch(type -> type.getPackageName().startsWith("io.switchboard." + module)))
                .as("the classes of io.switchboard.%s are on e2e-tests' test classpath (a test dependency in its pom)", module)
                .isTrue());
    }

    @ParameterizedTest
    @MethodSource("services")
    void aServiceUsesNoOtherServicesCode(String service) {
        String[] others = services().filter(other -> !other.equals(service))
                .map(other -> "io.switchboard." + other + "..").toArray(String[]::new);

        noClasses().that().resideInAPackage("io.switchboard." + service + "..")
                .should().dependOnClassesThat().resideInAnyPackage(others)
                .check(classes);
    }

    @ParameterizedTest
    @MethodSource("modulesWithCode")
    void aModuleUsesOnlyTheModulesItMay(String module) {
        Set<String> allowed = services().anyMatch(module::equals) ? A_SERVICE_MAY_USE : MAY_USE.get(module);
        assertThat(allowed).as("what %s may use", module).isNotNull();
        String[] packages = Stream.concat(Stream.of(module), allowed.stream())
                .map(name -> "io.switchboard." + name + "..").toArray(String[]::new);

        classes().that().resideInAPackage("io.switchboard." + module + "..")
                .should().onlyDependOnClassesThat(resideOutsideOfPackage("io.switchboard..").or(resideInAnyPackage(packages)))
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

    /** The services' packages: the modules named {@code *-service}. */
    static Stream<String> services() {
        return MODULES.stream().filter(module -> module.endsWith("-service")).map(PACKAGES::get);
    }

    /** The packages of the modules that have main code (e2e-tests has only tests). */
    static Stream<String> modulesWithCode() {
        return MODULES.stream().filter(module -> !module.equals("e2e-tests")).map(PACKAGES::get);
    }

    /** The modules of the build, from the root pom.xml (the tests run in e2e-tests/). */
    private static List<String> modules() {
        try {
            String pom = Files.readString(Path.of("..", "pom.xml"));
            return Pattern.compile("<module>([^<]+)</module>").matcher(pom).results().map(match -> match.group(1)).toList();
        } catch (IOException e) {
            throw new IllegalStateException("the root pom.xml is read to know the modules", e);
        }
    }
}
