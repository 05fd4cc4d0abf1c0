package io.dbops.liteengine;

/**
 * What a warm lite engine does before its first binding: everything that needs no stage (class
 * loading and a first run of the gRPC and HTTP code), leaving nothing behind that a binding could
 * see: no open port, no thread of its own, no file.
 */
final class LiteEngineWarmUp {
  private LiteEngineWarmUp() {}

  static void run() {
    // filled in below
  }
}
