package io.dbops.cli.commands;

import io.dbops.cli.client.CredentialsFile;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbops logout}: forgets the stored token of a control plane (the token stays valid on the server). */
@Command(name = "logout", mixinStandardHelpOptions = true,
    description = "Forget the stored API token of a control plane (revoke it with `dbops access revoke`).")
public final class LogoutCommand implements Callable<Integer> {
  @Option(names = "--server", description = "Control plane URL (default: the server last logged in to).")
  String server;

  @Override
  public Integer call() {
    CredentialsFile credentials = CredentialsFile.of(System.getenv());
    String url = server != null ? server : credentials.current().orElse(null);
    if (url == null || !credentials.remove(url)) {
      System.out.println("No stored token" + (url == null ? "" : " for " + url) + ".");
      return 0;
    }
    System.out.println("Forgot the token of " + url + " (" + credentials.path() + ").");
    return 0;
  }
}
