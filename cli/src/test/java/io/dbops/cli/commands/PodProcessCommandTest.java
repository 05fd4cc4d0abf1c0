package io.dbops.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PodProcessCommandTest {
  @Test
  void podProcessesGetThisJvmsClassDataSharingOptionsAndNothingElse() {
    List<String> jvm = List.of("-XX:+UseSerialGC", "-Xmx40m", "-XX:SharedArchiveFile=/opt/dbops/lib/dbops.jsa",
        "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-Dsecret.looking=thing");

    assertThat(PodProcessCommand.sharingOptions(jvm)).containsExactly("-XX:SharedArchiveFile=/opt/dbops/lib/dbops.jsa",
        "-Xshare:auto", "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
  }

  @Test
  void theCommandEndsWithTheMainClassOnThisClassPath() {
    List<String> command = PodProcessCommand.ofThisProcess();

    assertThat(command.get(command.size() - 1)).isEqualTo("io.dbops.cli.Main");
    assertThat(command.get(command.size() - 2)).isEqualTo(System.getProperty("java.class.path"));
  }
}
