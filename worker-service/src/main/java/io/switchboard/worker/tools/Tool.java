package io.switchboard.worker.tools;

import java.util.Map;

/** A tool a worker can run. Implementations throw {@link ToolFailure} for failures with a reason. */
public interface Tool {

    String name();

    Map<String, Object> execute(ToolCall call);
}
