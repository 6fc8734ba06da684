package io.switchboard.events;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum ToolStatus {
    @JsonProperty("succeeded") SUCCEEDED,
    @JsonProperty("failed") FAILED
}
