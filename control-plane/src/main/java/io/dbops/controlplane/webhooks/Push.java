package io.dbops.controlplane.webhooks;

import java.util.List;

/**
 * What a webhook call says, whatever its format.
 *
 * @param kind {@code push} (runs when the filters match), {@code ping} (answered 200, runs nothing)
 *     or {@code other} (an event other than a push: answered 202, runs nothing)
 * @param event the event as the sender named it (for example {@code push}, {@code Push Hook})
 * @param branch the pushed branch without {@code refs/heads/}; null for a tag or no ref
 * @param commit the commit pushed (the new head); null when absent
 * @param paths every file the pushed commits added, modified or removed
 * @param deleted true for a push that deletes the branch (runs nothing)
 */
record Push(String kind, String event, String branch, String commit, List<String> paths,
    boolean deleted) {
  Push {
    paths = List.copyOf(paths);
  }

  static Push ping(String event) {
    return new Push("ping", event, null, null, List.of(), false);
  }

  static Push other(String event) {
    return new Push("other", event, null, null, List.of(), false);
  }
}
