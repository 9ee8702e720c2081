#pragma once
// Kubernetes name validation (k8s.io/apimachinery/pkg/util/validation).

#include <string>
#include <string_view>

namespace vmdns::cluster {

// At most 63 characters of [a-z0-9-], starting and ending with an alphanumeric.
bool is_dns1123_label(std::string_view value);
// At most 253 characters: DNS-1123 labels joined by dots. As in Kubernetes, only the total
// length is limited, not each label's (an object may be named with 70 characters and no dot).
bool is_dns1123_subdomain(std::string_view value);
// A port name (IANA_SVC_NAME, RFC 6335 section 5.1, as Kubernetes' IsValidPortName): at most
// 15 characters of [a-z0-9-], at least one letter, no '-' at either end or twice in a row.
//   is_port_name("http-alt") == true; is_port_name("8080") == false
bool is_port_name(std::string_view value);
// Why `value` is not a DNS-1123 label, e.g. "must be no more than 63 characters"; empty if it is.
std::string dns1123_label_problem(std::string_view value);

}  // namespace vmdns::cluster
