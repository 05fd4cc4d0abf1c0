package io.dbops.controlplane.executions;

import io.dbops.pipeline.Pipeline;

/** A row of the {@code executions} table with its parsed pipeline and state. Mutable. */
final class ExecutionRecord {
  final String id;
  final Pipeline pipeline;
  final long createdAt;
  String status;
  String error;
  Long startedAt;
  Long finishedAt;
  final ExecutionState state;
  /** Who started it, from where; null for executions stored before origins were recorded. */
  final ExecutionOrigin origin;

  ExecutionRecord(String id, Pipeline pipeline, String status, String error, ExecutionState state,
      long createdAt, Long startedAt, Long finishedAt) {
    this(id, pipeline, status, error, state, createdAt, startedAt, finishedAt, null);
  }

  ExecutionRecord(String id, Pipeline pipeline, String status, String error, ExecutionState state,
      long createdAt, Long startedAt, Long finishedAt, ExecutionOrigin origin) {
    this.origin = origin;
    this.id = id;
    this.pipeline = pipeline;
    this.status = status;
    this.error = error;
    this.state = state;
    this.createdAt = createdAt;
    this.startedAt = startedAt;
    this.finishedAt = finishedAt;
  }

  boolean finished() {
    return "SUCCEEDED".equals(status) || "FAILED".equals(status);
  }
}
