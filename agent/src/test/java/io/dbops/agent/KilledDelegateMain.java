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
    DelegateConfig config = DelegateConfig.builder().serverUrl(URI.create(args[0])).token("dlg_child").name("child")
        .capacity(1).runtime("local").stateDir(Path.of(args[1])).podProcessCommand(List.of("false"))
        .heartbeatInterval(Duration.ofSeconds(15)).maxBackoff(Duration.ofMillis(300))
        .podReadyTimeout(Duration.ofSeconds(10)).tls(DelegateConfig.Tls.INSECURE)
        .endpoints(DelegateConfig.Endpoints.loopbackFreePort()).build();
    Delegate delegate = new Delegate(config, name -> null);
    delegate.start();
    new CountDownLatch(1).await(); // until killed
  }
}
