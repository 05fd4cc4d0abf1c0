package io.dbops.cli.commands;

import java.nio.file.Path;
import java.util.List;

/**
 * The command prefix the local runtime uses to start a container of a build pod: this same JVM
 * and class path running {@code dbops <role>}. The local runtime appends the role.
 */
public final class PodProcessCommand {
  private PodProcessCommand() {}

  public static List<String> ofThisProcess() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(java, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        "io.dbops.cli.Main");
  }
}
