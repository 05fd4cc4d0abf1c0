package io.dbops.controlplane.http;

import io.dbops.controlplane.Refusal;
import io.dbops.controlplane.identity.Caller;
import io.javalin.http.Context;

/** Decides whether a request may reach its route; implemented by the identity feature. */
@FunctionalInterface
public interface Gate {
  /**
   * Admits the request or throws.
   *
   * @return the caller for {@link Access.Kind#API_TOKEN} routes, null for the others
   * @throws Refusal 401 (no usable credential), 403 (not allowed), 429 (too many failures)
   */
  Caller admit(Context ctx, RouteRule route);
}
