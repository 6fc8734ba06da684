package io.switchboard.testcontainers;

import java.util.List;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Adds {@link BrokerContainers} to every Spring test context when the {@code testcontainers}
 * build profile is on, so the integration tests run unchanged against containers.
 */
public class BrokerContainersContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> attributes) {
        return new BrokerContainersCustomizer();
    }

    private record BrokerContainersCustomizer() implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration configuration) {
            if (context instanceof BeanDefinitionRegistry registry) {
                registry.registerBeanDefinition("switchboardBrokerContainers", new RootBeanDefinition(BrokerContainers.class));
            }
        }
    }
}
