package io.dbops.controlplane.executions;

import io.dbops.pipeline.Stage;

/**
 * How an execution shows a stage's target: the stored target's name, or the database URL without
 * what may hold a secret (user info, and every property after {@code ?} or {@code ;}), for example
 * {@code jdbc:postgresql://db.internal:5432/orders}. Pure.
 */
final class TargetLabel {
  private TargetLabel() {}

  static String of(Stage stage) {
    if (stage.hasTargetGroup()) {
      return "group " + stage.targetGroup();
    }
    if (stage.target() != null && !stage.target().isBlank()) {
      return "target " + stage.target();
    }
    return stage.database() == null ? null : url(stage.database().url());
  }

  /** The URL without user info and properties; null stays null. */
  static String url(String jdbcUrl) {
    if (jdbcUrl == null) {
      return null;
    }
    String url = jdbcUrl;
    int cut = indexOfAny(url, '?', ';');
    // SQL Server puts properties after ';' right behind the host: keep the host part only
    if (cut >= 0) {
      url = url.substring(0, cut);
    }
    url = url.replaceFirst("//[^/@]*@", "//");
    // Oracle's user/password@host
    url = url.replaceFirst("^(jdbc:oracle:[a-z0-9]+:)[^@/:]+/[^@]+@", "$1");
    return url;
  }

  private static int indexOfAny(String s, char a, char b) {
    int i = s.indexOf(a);
    int j = s.indexOf(b);
    if (i < 0) {
      return j;
    }
    return j < 0 ? i : Math.min(i, j);
  }
}
