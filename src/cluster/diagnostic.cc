#include "cluster/diagnostic.h"

namespace vmdns::cluster {

std::string origin_to_string(const Origin& origin) {
  std::string out = origin.file;
  if (origin.document > 0) {
    if (!out.empty()) {
      out += ": ";
    }
    out += "document " + std::to_string(origin.document);
  }
  if (origin.line > 0) {
    if (!out.empty()) {
      out += " ";
    }
    out += "(line " + std::to_string(origin.line) + ")";
  }
  return out;
}

std::string Diagnostic::to_string() const {
  std::string out = origin_to_string(origin);
  if (!out.empty()) {
    out += ": ";
  }
  if (severity == Severity::Warning) {
    out += "warning: ";
  }
  if (!object.empty()) {
    out += object + ": ";
  }
  if (!field.empty()) {
    out += field;
    if (!message.empty()) {
      out += " ";
    }
  }
  out += message;
  return out;
}

}  // namespace vmdns::cluster
