#pragma once
// Reads a Corefile and everything it imports into its server blocks.
//
//   std::string error;
//   auto corefile = load("/etc/coredns/Corefile", system_file_access(), &error);
//   if (!corefile) { std::cerr << error; }   // "Corefile:7: the block of .:53 is not closed"

#include <optional>
#include <string>

#include "corefile/corefile.h"
#include "corefile/file_access.h"

namespace vmdns::corefile {

std::optional<Corefile> load(const std::string& path, const FileAccess& files,
                             std::string* error);

}  // namespace vmdns::corefile
