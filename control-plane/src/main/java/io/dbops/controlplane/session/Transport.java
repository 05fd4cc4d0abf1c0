package io.dbops.controlplane.session;

/** How frames reach one delegate: a WebSocket, or a queue drained by long polls. */
interface Transport {
  /** Delivers one encoded frame; never throws (a dead peer is detected by silence or close). */
  void send(String text);

  /** Ends the connection with a WebSocket-style close code; idempotent. */
  void close(int code, String reason);

  boolean isOpen();

  /** For logs: where the delegate connects from. */
  String remote();
}
