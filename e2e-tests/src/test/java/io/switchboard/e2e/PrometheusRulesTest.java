package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.e2e.Observability.Alert;
import io.switchboard.e2e.Observability.Panel;
import io.switchboard.e2e.Observability.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The alert rules and Prometheus configurations of {@code deploy/prometheus}, checked by Prometheus'
 * own {@code promtool}, and their unit tests run; the dashboards of {@code deploy/grafana} read as the
 * rest of the platform expects. No platform needed: {@link DashboardsEndToEndTest} runs them all
 * against a live one.
 */
class PrometheusRulesTest {

    /** Metrics without a tenant: Kafka's lag, the gateway's open streams, RabbitMQ's queues. */
    private static final Set<String> WITHOUT_TENANT = Set.of("switchboard_consumer_lag", "switchboard_sse_streams_open",
            "rabbitmq_queue_messages_ready");
    /** A metric and its label matchers, if any. */
    private static final Pattern SELECTOR = Pattern.compile("\\b((?:switchboard|rabbitmq)_[a-z_]+)(\\{[^}]*})?");

    @Test
    void bothPrometheusConfigurationsAndTheirRuleFilesPassPromtoolsChecks() {
        for (String config : List.of("prometheus.yml", "prometheus-compose.yml")) {
            Result checked = Observability.promtool("check", "config", config);
            assertThat(checked.exitCode()).as("promtool check config %s:%n%s", config, checked.output()).isZero();
            assertThat(checked.output()).as("promtool check config %s", config).contains("SUCCESS: 1 rule files found");
        }
        List<String> arguments = new ArrayList<>(List.of("check", "rules"));
        Observability.ruleFiles().forEach(file -> arguments.add(file.toString()));
        Result rules = Observability.promtool(arguments.toArray(String[]::new));
        assertThat(rules.exitCode()).as("promtool check rules:%n%s", rules.output()).isZero();
    }

    @Test
    void everyAlertFiresOnSyntheticSeriesThatShouldWakeSomeoneAndStaysQuietOnOthers() {
        List<String> arguments = new ArrayList<>(List.of("test", "rules"));
        Observability.ruleTests().forEach(file -> arguments.add(file.toString()));
        Result tested = Observability.promtool(arguments.toArray(String[]::new));
        assertThat(tested.exitCode()).as("promtool test rules:%n%s", tested.output()).isZero();

        Set<String> fired = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (Path file : Observability.ruleTests()) {
            Observability.YAML.readTree(Observability.read(file)).get("tests").forEach(test ->
                    test.path("alert_rule_test").forEach(check -> (check.path("exp_alerts").isEmpty() ? quiet : fired)
                            .add(check.get("alertname").asString())));
        }
        List<Alert> alerts = Observability.alerts();
        assertThat(alerts).isNotEmpty().allSatisfy(alert -> {
            assertThat(fired).as("a unit test in which %s fires", alert.name()).contains(alert.name());
            assertThat(quiet).as("a unit test in which %s stays quiet", alert.name()).contains(alert.name());
            assertThat(alert.labels().path("severity").asString("")).as("severity of %s", alert.name()).isIn("warning", "critical");
            assertThat(alert.annotations().path("summary").asString("")).as("summary of %s", alert.name()).isNotBlank();
            assertThat(alert.annotations().path("description").asString("")).as("description of %s", alert.name()).isNotBlank();
        });
    }

    @Test
    void everyDashboardHasTheDatasourceAndTenantVariablesAndEveryPanelHonoursThem() {
        List<Path> dashboards = Observability.dashboards();
        assertThat(dashboards).extracting(file -> file.getFileName().toString())
                .contains("switchboard-overview.json", "switchboard-lag-retries.json", "switchboard-tenants.json");
        for (Path file : dashboards) {
            JsonNode dashboard = Observability.dashboard(file);
            List<String> variables = new ArrayList<>();
            dashboard.get("templating").get("list").forEach(variable -> variables.add(variable.get("name").asString()));
            assertThat(variables).as("variables of %s", file).contains("datasource", "tenant");
            dashboard.get("templating").get("list").forEach(variable -> {
                if (variable.get("name").asString().equals("tenant")) {
                    assertThat(variable.get("definition").asString()).isEqualTo("label_values(switchboard_runs_accepted_total, tenant)");
                    assertThat(variable.get("multi").asBoolean()).isTrue();
                    assertThat(variable.get("includeAll").asBoolean()).isTrue();
                }
            });
            dashboard.get("panels").forEach(panel -> assertThat(panel.get("datasource").get("uid").asString())
                    .as("data source of %s", panel.get("title")).isEqualTo("${datasource}"));
        }
        for (Panel panel : Observability.panels()) {
            assertThat(panel.expr()).as("%s: every range is $__rate_interval", panel.title())
                    .doesNotContainPattern("\\[\\d+[smhd]\\]");
            SELECTOR.matcher(panel.expr()).results()
                    .filter(selector -> !WITHOUT_TENANT.contains(selector.group(1)))
                    .forEach(selector -> assertThat(selector.group(2)).as("%s: %s is chosen by $tenant", panel.title(), selector.group(1))
                            .isNotNull().contains("tenant=~\"$tenant\""));
        }
    }
}
