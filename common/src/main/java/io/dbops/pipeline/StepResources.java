package io.dbops.pipeline;

/**
 * Requests and limits of a step's container, in Kubernetes quantities ({@code 250m}, {@code 1},
 * {@code 512Mi}); null fields take the runtime's defaults.
 */
public record StepResources(String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {}
