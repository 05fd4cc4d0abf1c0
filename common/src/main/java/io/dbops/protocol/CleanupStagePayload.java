package io.dbops.protocol;

/** Payload of a {@link TaskTypes#CLEANUP_STAGE} task: the pod to delete. */
public record CleanupStagePayload(String executionId, String stageName, String podName) {}
