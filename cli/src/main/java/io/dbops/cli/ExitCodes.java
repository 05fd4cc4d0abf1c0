package io.dbops.cli;

/** Process exit codes of the launcher, following sysexits.h where one fits. */
public final class ExitCodes {
  public static final int OK = 0;
  /** The pipeline ran and failed. */
  public static final int FAILED = 1;
  /** Bad command line (picocli's own code). */
  public static final int USAGE = 2;
  /** The input (a pipeline file) is invalid. */
  public static final int DATA_ERR = 65;
  /** An internal error: a bug, reported with its stack trace. */
  public static final int SOFTWARE = 70;
  /** The control plane could not be reached or failed (5xx). */
  public static final int UNAVAILABLE = 69;
  /** The control plane refused the credential (401) or its rights (403). */
  public static final int NO_PERMISSION = 77;
  /** Invalid configuration: every problem is printed at once. */
  public static final int CONFIG = 78;

  private ExitCodes() {}
}
