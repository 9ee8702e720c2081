#include "sources/manifest_loader.h"

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <type_traits>
#include <variant>

#include "sources/field_reader.h"
#include "sources/manifest_paths.h"
#include "sources/object_decoder.h"
#include "sources/yaml_documents.h"

namespace vmdns::sources {
namespace {

// kind: List may nest Lists; a bound keeps an aliased, self-containing List from recursing
// without end.
constexpr int kMaxListDepth = 8;
// Nodes a file may read beyond one per byte (see ReadBudget): room for tiny files.
constexpr size_t kBudgetSlack = 1024;

cluster::Diagnostic file_error(const cluster::Origin& origin, std::string message) {
  return {cluster::Severity::Error, origin, "", "", std::move(message)};
}

// 1-based line of a node; 0 when yaml-cpp knows none.
int line_of(const YAML::Node& node) {
  YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

// Adds each decoded object to a LoadResult; a later object with the key of an earlier one
// replaces it, with a warning naming both origins (kubectl apply would also apply both in turn).
class Loader {
 public:
  explicit Loader(LoadResult& result) : result_(result) {}

  void load_text(std::string_view text, const std::string& file) {
    ++result_.files;
    std::vector<YAML::Node> documents;
    try {
      documents = parse_documents(text);
    } catch (const YAML::Exception& e) {
      cluster::Origin origin{file, 0, e.mark.line >= 0 ? e.mark.line + 1 : 0};
      result_.diagnostics.push_back(file_error(origin, "invalid YAML: " + e.msg));
      return;
    } catch (const std::exception& e) {
      result_.diagnostics.push_back(
          file_error({file, 0, 0}, std::string("invalid YAML: ") + e.what()));
      return;
    }
    ReadBudget budget(text.size() + kBudgetSlack);
    for (size_t i = 0; i < documents.size(); ++i) {
      cluster::Origin origin{file, static_cast<int>(i + 1), 0};
      if (!visit(documents[i], origin, 0, budget)) {
        origin.line = line_of(documents[i]);
        result_.diagnostics.push_back(
            file_error(origin,
                       "YAML aliases make this document read more nodes than the file "
                       "has bytes; the rest of the file is not read"));
        return;
      }
    }
  }

 private:
  // One document or List item: an object, or a List of objects. False once `budget` is spent.
  bool visit(const YAML::Node& node, cluster::Origin origin, int depth, ReadBudget& budget) {
    if (!node.IsDefined() || node.IsNull()) {
      return true;  // an empty document, as a trailing "---" makes
    }
    if (!budget.take()) {
      return false;
    }
    origin.line = line_of(node);
    if (node.IsMap() && depth < kMaxListDepth && is_list(node)) {
      return visit_items(node, origin, depth, budget);
    }
    DecodedObject decoded = decode_object(node, origin, budget, result_.diagnostics);
    if (budget.exceeded()) {
      return false;  // the object is incomplete: keep it out of the state
    }
    switch (decoded.status) {
      case DecodedObject::Status::Loaded:
        ++result_.objects;
        std::visit([this](auto& object) { store(std::move(object)); }, *decoded.object);
        break;
      case DecodedObject::Status::Skipped:
        ++result_.skipped;
        break;
      case DecodedObject::Status::Failed:
        break;
    }
    return true;
  }

  // kind: List, and the typed lists `kubectl get -o yaml` writes (ServiceList, ...).
  static bool is_list(const YAML::Node& node) {
    YAML::Node kind = node["kind"];
    if (!kind.IsDefined() || !kind.IsScalar() || !node["items"].IsDefined()) {
      return false;
    }
    const std::string& text = kind.Scalar();
    return text.size() >= 4 && text.compare(text.size() - 4, 4, "List") == 0;
  }

  bool visit_items(const YAML::Node& list, const cluster::Origin& origin, int depth,
                   ReadBudget& budget) {
    YAML::Node items = list["items"];
    if (items.IsNull()) {
      return true;
    }
    if (!items.IsSequence()) {
      result_.diagnostics.push_back(
          {cluster::Severity::Error, origin, "List", "items", "must be a list"});
      return true;
    }
    for (const YAML::Node& item : items) {
      if (!visit(item, origin, depth + 1, budget)) {
        return false;
      }
    }
    return true;
  }

  template <typename T>
  void store(T object) {
    auto& map = cluster::objects_of<T>(result_.state);
    auto key = [&] {
      if constexpr (std::is_same_v<T, cluster::Namespace>) {
        return object.meta.name;
      } else {
        return cluster::key_of(object.meta);
      }
    }();
    auto it = map.find(key);
    if (it != map.end()) {
      result_.diagnostics.push_back({cluster::Severity::Warning, object.meta.origin,
                                     object_name(cluster::kind_name<T>(), object.meta), "",
                                     "is also defined at " +
                                         cluster::origin_to_string(it->second.meta.origin) +
                                         "; the later definition wins"});
      it->second = std::move(object);
      return;
    }
    map.emplace(std::move(key), std::move(object));
  }

  LoadResult& result_;
};

}  // namespace

// The whole file, or standard input for "-". Manifests are small; reading at once lets yaml-cpp
// see the text as one stream and the fuzzer share the code path.
std::optional<std::string> read_manifest_file(const std::string& path) {
  if (path == kStdinPath) {
    std::ostringstream text;
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return std::nullopt;
  }
  return text;
}

bool LoadResult::has_errors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [](const cluster::Diagnostic& d) {
    return d.severity == cluster::Severity::Error;
  });
}

LoadResult load_manifest_text(std::string_view text, const std::string& origin_name) {
  LoadResult result;
  Loader(result).load_text(text, origin_name);
  return result;
}

LoadResult load_manifests(const std::vector<std::string>& paths) {
  LoadResult result;
  Loader loader(result);
  for (const std::string& file : expand_manifest_paths(paths, result.diagnostics)) {
    std::optional<std::string> text = read_manifest_file(file);
    if (!text) {
      result.diagnostics.push_back(file_error({file, 0, 0}, "cannot read the file"));
      continue;
    }
    loader.load_text(*text, file);
  }
  spdlog::debug("loaded {} object(s) from {} file(s), {} skipped, {} diagnostic(s)", result.objects,
                result.files, result.skipped, result.diagnostics.size());
  return result;
}

}  // namespace vmdns::sources
