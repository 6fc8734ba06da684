package io.switchboard.gateway.runs;

import io.switchboard.platform.RunEventLog;
import io.switchboard.store.RunStore;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * A run's event stream wherever it is: in Redis while the run is live and for a while after it
 * ended, then in the run store, which keeps the same ids, names and JSON. Readers cannot tell
 * the difference.
 */
@Component
public class RunHistory {

    private final RunEventLog live;
    private final RunStore store;

    RunHistory(RunEventLog live, RunStore store) {
        this.live = live;
        this.store = store;
    }

    /** The run's entries after {@code afterId} (exclusive), or all of them for null; empty for a run that does not exist. */
    public List<RunEventLog.Entry> read(String tenantId, String runId, String afterId) {
        List<RunEventLog.Entry> entries = live.read(tenantId, runId, afterId);
        if (!entries.isEmpty() || live.exists(tenantId, runId)) {
            return entries;
        }
        return store.events(tenantId, runId).stream().filter(entry -> afterId == null || after(entry.id(), afterId)).toList();
    }

    public boolean exists(String tenantId, String runId) {
        return live.exists(tenantId, runId) || store.run(tenantId, runId).isPresent();
    }

    /** Whether stream id {@code id} ({@code <ms>-<seq>}) comes after {@code other}. */
    public static boolean after(String id, String other) {
        String[] a = id.split("-", 2);
        String[] b = other.split("-", 2);
        int byTime = Long.compare(Long.parseLong(a[0]), Long.parseLong(b[0]));
        return byTime != 0 ? byTime > 0 : Long.parseLong(a[1]) > Long.parseLong(b[1]);
    }
}
