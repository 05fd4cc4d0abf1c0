package io.dbops.step;

/**
 * What a warm step runtime does before its first binding: everything that needs no stage, leaving
 * nothing behind that a binding could see.
 */
final class StepRuntimeWarmUp {
  private StepRuntimeWarmUp() {}

  static void run() {
    // filled in below
  }
}
