package io.dbops.agent.runtime.local;

import io.dbops.secrets.Masker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts one container process of a local pod: {@code podProcessCommand + role} from an EMPTY
 * environment plus {@code env} ({@link PodEnvironment}), recorded in {@link PodProcessRecords}
 * before anything else, its output copied by a masking {@link OutputPump} into {@code
 * <logDir>/<container>.log}. Its stdin stays a pipe to the delegate (a warm process reads its
 * bindings there and exits when the delegate is gone). Thread-safe.
 */
final class ContainerLauncher {
  private static final Logger log = LoggerFactory.getLogger(ContainerLauncher.class);
  private final List<String> podProcessCommand;
  private final PodProcessRecords records;
  private final ThreadFactory pumpThreads;

  ContainerLauncher(List<String> podProcessCommand, PodProcessRecords records, ThreadFactory pumpThreads) {
    this.podProcessCommand = podProcessCommand;
    this.records = records;
    this.pumpThreads = pumpThreads;
  }

  PodProcessRecords records() {
    return records;
  }

  /**
   * @param pod the pod (or warm pod) named in the process record
   * @param port the port the process serves on; 0 for a warm process (known at its binding)
   * @param readyLine the end of the line that says it serves; null for a warm process
   */
  PodProcess launch(Path logDir, String pod, String container, String role, Map<String, String> env, int port,
      Masker masker, String readyLine) throws IOException {
    List<String> command = new ArrayList<>(podProcessCommand);
    command.add(role);
    Path logFile = logDir.resolve(container + ".log");
    // Output goes through a masking pump, never straight to the file: a step may print a secret.
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // From an empty environment: the delegate's own settings (its token above all) and host
    // credentials are not the pod's business (PodEnvironment).
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process = builder.start();
    OutputPump pump;
    Path record;
    try {
      // recorded before anything else: a delegate killed from now on leaves a trace of it
      record = records.add(pod, container, process.toHandle());
      pump = OutputPump.start(process.getInputStream(), logFile, masker, readyLine, pumpThreads);
    } catch (IOException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw e;
    }
    process.onExit().thenRun(() -> records.remove(record));
    log.debug("Started {} of pod {} on port {} (pid {})", container, pod, port, process.pid());
    return new PodProcess(container, port, process, logFile, pump, record);
  }
}
