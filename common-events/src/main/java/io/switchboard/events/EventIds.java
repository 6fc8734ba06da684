package io.switchboard.events;

/**
 * The one scheme for the ids of events that a run's progress derives: the same step, task or end
 * always gets the same id, whichever instance produces it and however often, so consumers and the
 * run stream recognise a repeat. Ids of requests (a run's first event) are random UUIDs.
 */
public final class EventIds {

    private EventIds() {
    }

    /** A tool task, {@code <runId>.s<step>.t<index>}; also the key a tool uses for its own side effects. */
    public static String task(String runId, int step, int index) {
        return runId + ".s" + step + ".t" + index;
    }

    /** The planning of a step: its {@code step.planned} entry and its {@code agent.planned} event. */
    public static String stepPlanned(String runId, int step) {
        return runId + ".s" + step + ".planned";
    }

    /** A step whose tasks are all in: its {@code step.completed} entry and {@code agent.step_completed} event. */
    public static String stepCompleted(String runId, int step) {
        return runId + ".s" + step + ".completed";
    }

    /** The {@code seq}-th piece, from 0, of the answer a step's model call streams on its {@code attempt}-th try. */
    public static String messageDelta(String runId, int step, int attempt, int seq) {
        return runId + ".s" + step + ".a" + attempt + ".delta." + seq;
    }

    /** The end of a step's model call, {@code model.completed}. */
    public static String modelCompleted(String runId, int step) {
        return runId + ".s" + step + ".model";
    }

    /** The outcome of a task, {@code agent.tool_called}. */
    public static String toolCalled(String taskId) {
        return taskId + ".called";
    }

    /** The end of a run, by what ended it: its terminal entry and its {@code agent.completed} event. */
    public static String runEnded(String runId, EndedBy endedBy) {
        return runId + "." + endedBy.suffix;
    }

    /**
     * What ended a run. Each has its own id, so two ends that race are told apart: the run stream
     * keeps the first, and a repeat of that same end is recognised as a repeat.
     */
    public enum EndedBy {
        /** The final step completed, a step failed entirely, or the plan was refused. */
        PIPELINE("completed"),
        CANCEL("cancelled"),
        DEADLINE("deadline");

        private final String suffix;

        EndedBy(String suffix) {
            this.suffix = suffix;
        }
    }
}
