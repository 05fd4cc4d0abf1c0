package io.dbops.controlplane.audit;

import java.time.Instant;
import java.util.Map;

/** A stored audit entry as {@code GET /api/v1/audit} shows it (contract H). */
public record AuditEntry(long seq, Instant at, String actor, String action, String target,
    String address, String outcome, Map<String, String> details, String hash, String prevHash) {}
