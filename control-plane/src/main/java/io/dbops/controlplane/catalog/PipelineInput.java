package io.dbops.controlplane.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A declared input of a stored pipeline, referred to as {@code ${inputs.NAME}} in its steps'
 * string fields (docs/environments.md).
 *
 * @param required a run must give a value (or the input has a default); null means false
 * @param defaultValue the value when a run gives none; null for none
 */
public record PipelineInput(String name, String description, Boolean required,
    @JsonProperty("default") String defaultValue) {}
