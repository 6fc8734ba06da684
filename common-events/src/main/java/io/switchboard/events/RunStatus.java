package io.switchboard.events;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum RunStatus {
    @JsonProperty("accepted") ACCEPTED,
    @JsonProperty("running") RUNNING,
    @JsonProperty("succeeded") SUCCEEDED,
    @JsonProperty("failed") FAILED,
    @JsonProperty("cancelled") CANCELLED;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
