package io.dbops.controlplane.audit;

/** Where audit events go; {@link AuditLog} appends them to the hash-chained table. */
@FunctionalInterface
public interface Audit {
  /** Records the event; never throws (a failure is logged). */
  void record(AuditEvent event);
}
