package io.dbops.controlplane.audit;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Something to record: who ({@code actor}, for example {@code alice (pat-abc)}, {@code anonymous}
 * or {@code system}), did what ({@code action}, for example {@code secret.put}), to what
 * ({@code target}), from where ({@code address}), with what {@code outcome} ({@code ok},
 * {@code refused: 403 forbidden}...). Never a secret value: details hold names and ids only.
 */
public record AuditEvent(String actor, String action, String target, String address,
    String outcome, Map<String, String> details) {
  public AuditEvent {
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(outcome, "outcome");
    actor = cut(actor, 300);
    outcome = cut(outcome, 300);
    target = cut(target == null ? "" : target, 500);
    address = cut(address == null ? "" : address, 100);
    details = details == null ? Map.of() : Map.copyOf(new TreeMap<>(details));
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }

  public static AuditEvent system(String action, String target, String outcome,
      Map<String, String> details) {
    return new AuditEvent("system", action, target, "", outcome, details);
  }
}
