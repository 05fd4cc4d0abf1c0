package io.dbops.controlplane.catalog;

import io.dbops.pipeline.Pipeline;
import io.dbops.pipeline.PipelineLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The declarative document from text to checked objects: YAML with locations, shapes and unknown
 * fields, search paths resolved against the base directory, then the rules of
 * {@link CatalogValidator} against what is stored; every problem with its line and column where
 * the parser knows them. Pure; thread-safe.
 */
final class DocumentCheck {
  private DocumentCheck() {}

  /**
   * @param environments names of the stored environments
   * @param targets names of the stored targets
   * @throws CatalogException INVALID listing every problem
   */
  static CatalogDocument read(String text, String baseDirectory, Set<String> environments,
      Set<String> targets, CatalogValidator validator) {
    List<String> problems = new ArrayList<>();
    LocatedYaml yaml = LocatedYaml.parse(text == null ? "" : text, problems);
    if (problems.isEmpty()) {
      DocumentReader.Read<CatalogDocument> read = DocumentReader.document(yaml.root());
      problems.addAll(read.problems());
      CatalogDocument doc = read.value();
      if (doc != null) {
        List<StoredPipeline> pipelines = new ArrayList<>();
        for (int i = 0; i < doc.pipelines().size(); i++) {
          StoredPipeline p = doc.pipelines().get(i);
          pipelines.add(p == null ? null : withBase(p, baseDirectory, "pipelines[" + i + "]",
              problems));
        }
        doc = new CatalogDocument(doc.apiVersion(), doc.environments(), doc.targets(), pipelines);
        validator.document(doc, environments, targets, problems);
        if (problems.isEmpty()) {
          return doc;
        }
      }
      problems.replaceAll(yaml::locate);
    }
    throw CatalogException.invalid("Invalid document", problems);
  }

  /** The pipeline with its steps' relative (or missing) search paths resolved against the base. */
  static StoredPipeline withBase(StoredPipeline p, String baseDirectory, String where,
      List<String> problems) {
    if (baseDirectory == null || baseDirectory.isBlank()) {
      return p;
    }
    if (!CatalogValidator.absolute(baseDirectory)) {
      problems.add(CatalogValidator.at(where, "baseDirectory") + " must be an absolute path");
      return p;
    }
    Pipeline resolved = PipelineLoader.resolvePaths(p.pipeline(), Path.of(baseDirectory));
    return new StoredPipeline(p.name(), p.description(), p.inputs(), resolved.stages());
  }
}
