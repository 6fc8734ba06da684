package io.switchboard.planner.planning;

/** A step that cannot be planned; the run fails with this reason. */
class PlanRefusedException extends RuntimeException {

    PlanRefusedException(String reason) {
        super(reason);
    }
}
