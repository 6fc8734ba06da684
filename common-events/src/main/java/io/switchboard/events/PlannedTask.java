package io.switchboard.events;

/** One tool task of a planned step. */
public record PlannedTask(String taskId, String tool, int index) {
}
