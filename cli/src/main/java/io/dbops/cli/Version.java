package io.dbops.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest ({@code Implementation-Version}), or "dev" from an IDE. */
public final class Version implements IVersionProvider {
  public static String current() {
    String version = Main.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  @Override
  public String[] getVersion() {
    return new String[] {"dbops " + current()};
  }
}
