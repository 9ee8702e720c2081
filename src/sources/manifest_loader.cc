#include "sources/manifest_loader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <thread>
#include <type_traits>
#include <variant>

#include "sources/field_reader.h"
#include "sources/manifest_paths.h"
#include "sources/object_decoder.h"
#include "sources/yaml_stream.h"

namespace vmdns::sources {
namespace {

// kind: List may nest Lists; a bound keeps an aliased, self-containing List from recursing
// without end.
constexpr int kMaxListDepth = 8;
// Nodes a file may read beyond one per byte (see ReadBudget): room for tiny files.
constexpr size_t kBudgetSlack = 1024;
// From this size on, a file is read in two parts at once (load_manifest_text).
constexpr size_t kParallelBytes = size_t{4} << 20;

cluster::Diagnostic file_error(const cluster::Origin& origin, std::string message) {
  return {cluster::Severity::Error, origin, "", "", std::move(message)};
}

// Adds each decoded object to a LoadResult; a later object with the key of an earlier one
// replaces it, with a warning naming both origins (kubectl apply would also apply both in turn).
class Loader {
 public:
  explicit Loader(LoadResult& result) : result_(result) {}

  struct TextEnd {
    int documents = 0;     // documents read
    bool stopped = false;  // the alias budget ran out: the rest of the file is not read
    bool invalid = false;  // a syntax error: `result_` holds that one error and nothing else
  };

  // One file's text (or a part of it that starts `first_line` lines into the file), document by
  // document: each document's tree is decoded into slim objects and dropped before the next is
  // parsed. A syntax error anywhere makes the text one error and nothing else, as if it had
  // been parsed whole first: `result_` must be empty on entry.
  TextEnd load_text(std::string_view text, const std::string& file, int first_line = 0) {
    ++result_.files;
    TextEnd end;
    ReadBudget budget(text.size() + kBudgetSlack);
    YamlStream stream(text, first_line);
    while (const YamlNode* root = stream.next()) {
      cluster::Origin origin{file, ++end.documents, 0};
      if (!visit(*root, origin, 0, budget)) {
        origin.line = root->line;
        result_.diagnostics.push_back(
            file_error(origin,
                       "YAML aliases make this document read more nodes than the file "
                       "has bytes; the rest of the file is not read"));
        end.stopped = true;
        return end;
      }
    }
    if (const auto& error = stream.error()) {
      size_t files = result_.files;
      result_ = LoadResult{};
      result_.files = files;
      result_.diagnostics.push_back(
          file_error({file, 0, error->line}, "invalid YAML: " + error->message));
      end.invalid = true;
    }
    return end;
  }

  // Adds the objects and diagnostics of one more file's result, or of a later part of the same
  // file, whose documents are numbered from 1: `document_offset` makes them the file's numbers.
  void merge(LoadResult&& file, int document_offset = 0) {
    if (document_offset != 0) {
      for (cluster::Diagnostic& d : file.diagnostics) {
        if (d.origin.document > 0) {
          d.origin.document += document_offset;
        }
      }
    }
    result_.files += file.files;
    result_.skipped += file.skipped;
    result_.objects += file.objects;
    for (cluster::Diagnostic& d : file.diagnostics) {
      result_.diagnostics.push_back(std::move(d));
    }
    const cluster::State& mine = result_.state;
    if (document_offset == 0 && mine.vmis.empty() && mine.vms.empty() && mine.services.empty() &&
        mine.endpoint_slices.empty() && mine.pods.empty() && mine.namespaces.empty()) {
      result_.state = std::move(file.state);  // the first file: nothing to replace
      return;
    }
    auto take = [this, document_offset](auto& objects) {
      for (auto& entry : objects) {
        entry.second.meta.origin.document += document_offset;
        store(std::move(entry.second));
      }
    };
    cluster::State& state = file.state;
    take(state.vmis);
    take(state.vms);
    take(state.services);
    take(state.endpoint_slices);
    take(state.pods);
    take(state.namespaces);
  }

 private:
  // One document or List item: an object, or a List of objects. False once `budget` is spent.
  bool visit(const YamlNode& node, cluster::Origin origin, int depth, ReadBudget& budget) {
    if (node.is_null()) {
      return true;  // an empty document, as a trailing "---" makes
    }
    if (!budget.take()) {
      return false;
    }
    origin.line = node.line;
    if (node.is_map() && depth < kMaxListDepth && is_list(node)) {
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
  static bool is_list(const YamlNode& node) {
    const YamlNode* kind = node.find("kind");
    if (kind == nullptr || !kind->is_scalar() || node.find("items") == nullptr) {
      return false;
    }
    std::string_view text = kind->text;
    return text.size() >= 4 && text.substr(text.size() - 4) == "List";
  }

  bool visit_items(const YamlNode& list, const cluster::Origin& origin, int depth,
                   ReadBudget& budget) {
    const YamlNode& items = *list.find("items");
    if (items.is_null()) {
      return true;
    }
    if (!items.is_sequence()) {
      result_.diagnostics.push_back(
          {cluster::Severity::Error, origin, "List", "items", "must be a list"});
      return true;
    }
    for (uint32_t i = 0; i < items.size; ++i) {
      if (!visit(*items.children[i], origin, depth + 1, budget)) {
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

// The whole file, or standard input for "-": ManifestFiles compares it with the last version
// read, and the fuzzer shares the code path. The documents' trees are never all held at once.
std::optional<std::string> read_manifest_file(const std::string& path) {
  if (path == kStdinPath) {
    std::ostringstream text;
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    return std::nullopt;
  }
  // Sized from the end position, then read at once: a character at a time would cost more
  // than parsing the text.
  std::streamoff size = in.tellg();
  std::string text;
  if (size > 0) {
    text.resize(static_cast<size_t>(size));
    in.seekg(0);
    in.read(text.data(), size);
    text.resize(static_cast<size_t>(in.gcount()));
  }
  // A file that grew while it was read, or that tellg cannot size (a pipe): the rest, if any.
  text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
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

std::vector<std::string_view> split_documents(std::string_view text, size_t parts) {
  // A directive (%YAML, %TAG) belongs to the document after it: such a file stays whole.
  if (parts <= 1 || text.empty() || text.front() == '%' ||
      text.find("\n%") != std::string_view::npos) {
    return {text};
  }
  std::vector<std::string_view> pieces;
  size_t start = 0;
  for (size_t i = 1; i < parts; ++i) {
    // The next line "---" (alone, or followed by a space or tab) at or after the i-th share.
    size_t at = std::max(start, text.size() / parts * i);
    size_t cut = std::string_view::npos;
    while ((at = text.find("\n---", at)) != std::string_view::npos) {
      size_t after = at + 4;
      if (after == text.size() || text[after] == '\n' || text[after] == '\r' ||
          text[after] == ' ' || text[after] == '\t') {
        cut = at + 1;
        break;
      }
      at = after;
    }
    if (cut == std::string_view::npos) {
      break;
    }
    pieces.push_back(text.substr(start, cut - start));
    start = cut;
  }
  pieces.push_back(text.substr(start));
  return pieces;
}

LoadResult load_manifest_text_in_parts(std::string_view text, const std::string& origin_name,
                                       size_t parts) {
  std::vector<std::string_view> pieces = split_documents(text, parts);
  std::vector<LoadResult> results(pieces.size());
  std::vector<Loader::TextEnd> ends(pieces.size());
  auto load_piece = [&](size_t i) {
    int first_line = static_cast<int>(
        std::count(text.data(), pieces[i].data(), '\n'));
    ends[i] = Loader(results[i]).load_text(pieces[i], origin_name, first_line);
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < pieces.size(); ++i) {
    threads.emplace_back(load_piece, i);
  }
  load_piece(0);
  for (std::thread& thread : threads) {
    thread.join();
  }
  // A syntax error in any part: the file is that one error, as a whole-file parse makes it.
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (ends[i].invalid) {
      return std::move(results[i]);
    }
  }
  LoadResult result = std::move(results[0]);
  Loader loader(result);
  int documents = ends[0].documents;
  for (size_t i = 1; i < pieces.size() && !ends[i - 1].stopped; ++i) {
    results[i].files = 0;
    loader.merge(std::move(results[i]), documents);
    documents += ends[i].documents;
  }
  return result;
}

LoadResult load_manifest_text(std::string_view text, const std::string& origin_name) {
  // A big file is read in two parts at once, split between documents: the second core halves
  // the time to the first answer. Small files are not worth a thread.
  return load_manifest_text_in_parts(text, origin_name, text.size() >= kParallelBytes ? 2 : 1);
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
    LoadResult one = load_manifest_text(*text, file);
    text.reset();
    loader.merge(std::move(one));
  }
  spdlog::debug("loaded {} object(s) from {} file(s), {} skipped, {} diagnostic(s)", result.objects,
                result.files, result.skipped, result.diagnostics.size());
  return result;
}

}  // namespace vmdns::sources
