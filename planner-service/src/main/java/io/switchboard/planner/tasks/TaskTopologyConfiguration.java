package io.switchboard.planner.tasks;

import io.switchboard.events.TaskQueues;
import java.util.ArrayList;
import java.util.List;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The tool-task exchanges and queues; the planner fills them, so it declares them at start-up. */
@Configuration(proxyBeanMethods = false)
class TaskTopologyConfiguration {

    @Bean
    Declarables taskTopology() {
        List<Declarable> declarables = new ArrayList<>();
        for (TaskQueues.Route route : TaskQueues.routes()) {
            DirectExchange exchange = new DirectExchange(route.exchange());
            Queue queue = QueueBuilder.durable(route.queue()).withArguments(route.queueArguments()).build();
            declarables.addAll(List.of(exchange, queue, BindingBuilder.bind(queue).to(exchange).with(route.routingKey())));
        }
        return new Declarables(declarables);
    }
}
