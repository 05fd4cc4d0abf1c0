package io.dbops.controlplane.http;

import io.javalin.Javalin;

/** A feature's HTTP and WebSocket endpoints, added to the server before it starts. */
@FunctionalInterface
public interface Routes {
  void addTo(Javalin app);
}
