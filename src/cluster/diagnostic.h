#pragma once
// A problem found in the input, naming the file, document, object and field.
//
//   examples/bad.yaml: document 2 (line 14): VirtualMachineInstance default/x:
//       spec.hostname "my_vm" is not a DNS-1123 label

#include <string>

#include "cluster/model.h"

namespace vmdns::cluster {

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  Origin origin;
  std::string object;   // "VirtualMachineInstance default/x"; empty when no object was read
  std::string field;    // "spec.hostname"; empty for document-level problems
  std::string message;  // "\"my_vm\" is not a DNS-1123 label"

  // "<file>: document <n> (line <l>): <object>: <field> <message>", omitting absent parts;
  // warnings are prefixed "warning: " after the location.
  std::string to_string() const;
};

// "<file>: document <n> (line <l>)", omitting absent parts; empty when nothing is known.
std::string origin_to_string(const Origin& origin);

}  // namespace vmdns::cluster
