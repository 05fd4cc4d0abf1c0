package io.dbops.cli.commands;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command prefix the local runtime uses to start a container of a build pod: this same JVM
 * and class path running {@code dbops <role>}, with this JVM's class-data sharing options (the
 * launcher's {@code lib/dbops.jsa}: the class path is the same, so the archive fits). The local
 * runtime appends the role and gives the role's heap and compiler options as {@code
 * JDK_JAVA_OPTIONS}.
 */
public final class PodProcessCommand {
  private PodProcessCommand() {}

  public static List<String> ofThisProcess() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC"));
    command.addAll(sharingOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.dbops.cli.Main"));
    return List.copyOf(command);
  }

  /** The class-data sharing options among {@code jvmArguments}. */
  static List<String> sharingOptions(List<String> jvmArguments) {
    return jvmArguments.stream().filter(a -> a.startsWith("-XX:SharedArchiveFile=") || a.startsWith("-Xshare:")
        || a.startsWith("-Xlog:cds")).toList();
  }
}
