#pragma once
// Environment variables in a Corefile word, as CoreDNS substitutes them: `{$NAME}`, `{env.NAME}`
// and `{%NAME%}` are replaced by the variable's value, or by nothing when it is not set. The
// result stays one word, whatever the value holds.
//
//   auto lookup = [](const std::string& name) -> std::optional<std::string> {
//     return name == "DOMAIN" ? std::optional<std::string>("cluster.local") : std::nullopt;
//   };
//   expand_environment("{$DOMAIN}:53", lookup)   // "cluster.local:53"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vmdns::corefile {

using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

std::string expand_environment(std::string_view word, const EnvironmentLookup& lookup);

}  // namespace vmdns::corefile
