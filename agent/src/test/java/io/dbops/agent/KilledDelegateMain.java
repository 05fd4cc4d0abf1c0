package io.dbops.agent;

import io.dbops.agent.config.DelegateConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** A delegate in its own JVM, to be killed: args are the control plane URL and the state directory. */
public final class KilledDelegateMain {
  private KilledDelegateMain() {}

  public static void main(String[] args) throws Exception {
    DelegateConfig config = new DelegateConfig(URI.create(args[0]), "dlg_child", "child", List.of(), 1, "local",
        Path.of(args[1]), List.of("false"), Duration.ofSeconds(15), Duration.ofMillis(300), Duration.ofSeconds(10),
        null, null, DelegateConfig.Tls.INSECURE, DelegateConfig.Endpoints.loopbackFreePort());
    Delegate delegate = new Delegate(config, name -> null);
    delegate.start();
    new CountDownLatch(1).await(); // until killed
  }
}
