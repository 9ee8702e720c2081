#pragma once
// Manifest text -> its YAML documents, like YAML::LoadAll, without yaml-cpp 0.7's endless loop.
//
//   std::vector<YAML::Node> documents = parse_documents(text);  // throws YAML::Exception
//
// yaml-cpp 0.7.0's LoadAll never returns on a stray token between documents (a top-level ","
// for instance): HandleNextDocument reports a null document without consuming the token, again
// and again, and the vector of documents grows until memory runs out (jbeder/yaml-cpp#1040,
// fixed upstream by #1319, after 0.7.0). A first pass over the parser's events, which builds
// nothing, stops at the first document that starts where the previous one did.

#include <yaml-cpp/yaml.h>

#include <string_view>
#include <vector>

namespace vmdns::sources {

// Throws YAML::Exception (with the mark of the problem) when `text` is not valid YAML.
std::vector<YAML::Node> parse_documents(std::string_view text);

}  // namespace vmdns::sources
