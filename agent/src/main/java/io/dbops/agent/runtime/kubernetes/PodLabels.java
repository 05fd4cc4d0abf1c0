package io.dbops.agent.runtime.kubernetes;

import java.util.regex.Pattern;

/** Names of the labels and annotations the runtime puts on build pods and their Secrets. */
public final class PodLabels {
  /** Always {@value #MANAGED_BY_VALUE}. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "dbops-delegate";
  /** The delegate's name: its replicas share it, and the sweeper looks for it. */
  public static final String DELEGATE = "dbops.io/delegate";
  /** The delegate process that created the object. */
  public static final String DELEGATE_INSTANCE = "dbops.io/delegate-instance";
  /** The execution the pod serves. */
  public static final String EXECUTION = "dbops.io/execution";
  /** {@code pod}, {@code env} or {@code registry}. */
  public static final String PART = "dbops.io/part";
  /** Annotation: when the object may be swept, an ISO-8601 instant; renewed on pods while the delegate lives. */
  public static final String LEASE_EXPIRES = "dbops.io/lease-expires";
  /** Annotation on Secrets: the build pod they belong to (pod names may be too long for a label). */
  public static final String POD = "dbops.io/pod";

  private static final Pattern INVALID = Pattern.compile("[^A-Za-z0-9._-]");

  private PodLabels() {}

  /**
   * {@code value} made a valid label value: characters outside {@code [A-Za-z0-9._-]} become
   * {@code -}, at most 63 characters, starting and ending with a letter or digit ("x" when nothing
   * is left).
   */
  public static String labelValue(String value) {
    String v = INVALID.matcher(value == null ? "" : value).replaceAll("-");
    if (v.length() > 63) {
      v = v.substring(0, 63);
    }
    int start = 0;
    int end = v.length();
    while (start < end && !Character.isLetterOrDigit(v.charAt(start))) {
      start++;
    }
    while (end > start && !Character.isLetterOrDigit(v.charAt(end - 1))) {
      end--;
    }
    return start == end ? "x" : v.substring(start, end);
  }
}
