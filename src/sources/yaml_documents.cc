#include "sources/yaml_documents.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <string>

namespace vmdns::sources {
namespace {

// Sees every document start and nothing else. A document that starts at the position of the
// previous one consumed no input: the parser is stuck on a token it cannot place.
class ProgressCheck : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    stuck_ = started_ && mark.pos == last_start_;
    started_ = true;
    last_start_ = mark.pos;
    mark_ = mark;
  }
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

  bool stuck() const { return stuck_; }
  const YAML::Mark& mark() const { return mark_; }

 private:
  bool started_ = false;
  bool stuck_ = false;
  int last_start_ = -1;
  YAML::Mark mark_;
};

}  // namespace

std::vector<YAML::Node> parse_documents(std::string_view text) {
  std::string input(text);
  {
    std::istringstream stream(input);
    YAML::Parser parser(stream);
    ProgressCheck check;
    while (parser.HandleNextDocument(check)) {
      if (check.stuck()) {
        throw YAML::ParserException(check.mark(), "unexpected token");
      }
    }
  }
  // The text is valid YAML and every document makes progress: LoadAll terminates.
  return YAML::LoadAll(input);
}

}  // namespace vmdns::sources
