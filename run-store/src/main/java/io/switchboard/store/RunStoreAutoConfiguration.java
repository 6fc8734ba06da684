package io.switchboard.store;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** The run store, for every service that has the store's database configured. */
@AutoConfiguration(after = {JdbcTemplateAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class})
@EnableConfigurationProperties(RunStoreProperties.class)
public class RunStoreAutoConfiguration {

    @Bean
    RunStore runStore(JdbcTemplate jdbc, TransactionTemplate transactions) {
        return new RunStore(jdbc, transactions);
    }
}
