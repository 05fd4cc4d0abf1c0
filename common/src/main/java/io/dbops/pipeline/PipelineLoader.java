package io.dbops.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a pipeline file (YAML or JSON) and resolves each step's changelog against the file's
 * directory, so the pipeline can be submitted from anywhere. Thread-safe.
 */
public final class PipelineLoader {
  private final ObjectMapper yaml =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  // No size ceilings here: the control plane that runs the pipeline applies its own.
  private final PipelineValidator validator = new PipelineValidator(PipelineLimits.NONE);

  public Pipeline load(Path file) {
    String source = file.toString();
    Pipeline raw;
    try {
      raw = yaml.readValue(Files.readString(file), Pipeline.class);
    } catch (UnrecognizedPropertyException e) {
      throw new PipelineException(source, List.of("unknown field '" + e.getPropertyName() + "' in "
          + e.getReferringClass().getSimpleName().toLowerCase(java.util.Locale.ROOT)
          + "; expected one of " + e.getKnownPropertyIds()));
    } catch (JsonProcessingException e) {
      throw new PipelineException(source, List.of(e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
    } catch (IOException e) {
      throw new PipelineException(source, List.of("cannot read the file: " + e.getMessage()));
    }
    Pipeline pipeline = validator.validate(source, raw);
    return resolvePaths(pipeline, file.toAbsolutePath().getParent());
  }

  /** Steps without a search path get {@code baseDir}; relative search paths resolve against it. */
  public static Pipeline resolvePaths(Pipeline pipeline, Path baseDir) {
    List<Stage> stages = new ArrayList<>();
    for (Stage stage : pipeline.stages()) {
      List<Step> steps = new ArrayList<>();
      for (Step step : stage.steps()) {
        Path searchPath = step.searchPath() == null ? baseDir : baseDir.resolve(step.searchPath());
        steps.add(step.withSearchPath(searchPath.normalize().toString()));
      }
      stages.add(stage.withSteps(steps));
    }
    return new Pipeline(pipeline.name(), stages);
  }
}
