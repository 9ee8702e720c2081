// The YAML and JSON parsers of Debian's archive on vmdns's inputs: a manifest of many documents
// (bench/gen_cluster.py) and an API list page (kubectl get -o json's shape). Parsing only, no
// decoding: what each library costs before vmdns reads a field. Not built by CMake (CI installs
// only the parsers vmdns uses); build and run it by hand:
//
//   apt-get install libyaml-dev libfyaml-dev libyaml-cpp-dev nlohmann-json3-dev \
//       libsimdjson-dev rapidjson-dev
//   g++ -O2 -std=c++20 -o /tmp/parsers bench/parsers.cc \
//       $(pkg-config --cflags --libs yaml-0.1 libfyaml) -lyaml-cpp -lsimdjson
//   /usr/bin/time -f "%M KiB peak, %U s user" /tmp/parsers libyaml cluster.yaml
//   /usr/bin/time -f "%M KiB peak, %U s user" /tmp/parsers nlohmann page.json 200
//
// YAML modes count documents (one object each): libyaml (events), libfyaml-events,
// libfyaml-documents (a tree per document, dropped), yaml-cpp-events, yaml-cpp-load-all (the
// whole file's trees at once, as vmdns read manifests before). JSON modes parse the page
// `repeats` times and count its items: nlohmann (DOM), rapidjson (DOM), simdjson (DOM).

#include <libfyaml.h>
#include <rapidjson/document.h>
#include <simdjson.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>
#include <yaml.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

// Counts documents; ignores the rest.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override { ++documents; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  long documents = 0;
};

long libyaml_documents(const std::string& text) {
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  long documents = 0;
  for (bool end = false; !end;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      std::fprintf(stderr, "libyaml: %s\n", parser.problem);
      std::exit(1);
    }
    documents += event.type == YAML_DOCUMENT_START_EVENT;
    end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  return documents;
}

long libfyaml_documents(const std::string& text, bool trees) {
  fy_parse_cfg config{};
  config.flags = FYPCF_QUIET;
  fy_parser* parser = fy_parser_create(&config);
  fy_parser_set_string(parser, text.data(), text.size());
  long documents = 0;
  if (trees) {
    while (fy_document* document = fy_parse_load_document(parser)) {
      ++documents;
      fy_parse_document_destroy(parser, document);
    }
  } else {
    while (fy_event* event = fy_parser_parse(parser)) {
      documents += event->type == FYET_DOCUMENT_START;
      fy_parser_event_free(parser, event);
    }
  }
  fy_parser_destroy(parser);
  return documents;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: parsers MODE FILE [repeats]\n");
    return 2;
  }
  std::string mode = argv[1];
  std::ifstream in(argv[2], std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 1;
  auto started = std::chrono::steady_clock::now();
  long objects = 0;
  for (int i = 0; i < repeats; ++i) {
    if (mode == "libyaml") {
      objects += libyaml_documents(text);
    } else if (mode == "libfyaml-events") {
      objects += libfyaml_documents(text, false);
    } else if (mode == "libfyaml-documents") {
      objects += libfyaml_documents(text, true);
    } else if (mode == "yaml-cpp-events") {
      std::istringstream stream(text);
      YAML::Parser parser(stream);
      DocumentCounter counter;
      while (parser.HandleNextDocument(counter)) {
      }
      objects += counter.documents;
    } else if (mode == "yaml-cpp-load-all") {
      objects += static_cast<long>(YAML::LoadAll(text).size());
    } else if (mode == "nlohmann") {
      objects += static_cast<long>(nlohmann::json::parse(text)["items"].size());
    } else if (mode == "rapidjson") {
      rapidjson::Document document;
      document.Parse(text.c_str());
      objects += static_cast<long>(document["items"].Size());
    } else if (mode == "simdjson") {
      static simdjson::dom::parser parser;
      static simdjson::padded_string padded(text);
      simdjson::dom::element document = parser.parse(padded);
      objects += static_cast<long>(simdjson::dom::array(document["items"]).size());
    } else {
      std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
      return 2;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%s: %ld objects in %.2f s: %.0f objects/s, %.0f MB/s\n", mode.c_str(), objects,
              seconds, objects / seconds, text.size() * repeats / seconds / 1e6);
  return 0;
}
