package io.switchboard.store;

import io.switchboard.platform.agents.AgentCatalog;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The run store, for every service that has the store's database configured, and its search;
 * search by meaning where the embedding model is on the classpath.
 */
@AutoConfiguration(after = {JdbcTemplateAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class})
@EnableConfigurationProperties(RunStoreProperties.class)
public class RunStoreAutoConfiguration {

    /** Runs are embedded as their agents say in the platform's catalog. */
    @Bean
    RunStore runStore(JdbcTemplate jdbc, TransactionTemplate transactions, ObjectProvider<AgentCatalog> catalog) {
        AgentCatalog agents = catalog.getIfAvailable();
        return agents == null ? new RunStore(jdbc, transactions) : new RunStore(jdbc, transactions, agents::searchedByMeaning);
    }

    /** Tenants' managed API keys, which the services that authenticate tenants look up. */
    @Bean
    ApiKeyStore apiKeyStore(JdbcTemplate jdbc, TransactionTemplate transactions) {
        return new ApiKeyStore(jdbc, transactions, Clock.systemUTC());
    }

    @Bean
    RunSearch runSearch(RunStore store, ObjectProvider<SemanticIndex> meaning) {
        return new RunSearch(store, meaning.getIfAvailable());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel")
    @ConditionalOnProperty(name = "switchboard.store.semantic.enabled", matchIfMissing = true)
    static class Meaning {

        @Bean
        Embeddings embeddings() {
            return new Embeddings();
        }

        @Bean
        SemanticIndex semanticIndex(RunStore store, Embeddings embeddings, RunStoreProperties properties) {
            return new SemanticIndex(store, embeddings, properties.semantic().memory().toBytes());
        }
    }
}
