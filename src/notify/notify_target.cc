#include "notify/notify_target.h"

#include <cctype>

namespace vmdns::notify {

std::optional<NotifyTarget> parse_notify_target(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<NotifyTarget> {
    if (error != nullptr) {
      *error = "\"" + std::string(text) + "\": " + why;
    }
    return std::nullopt;
  };
  size_t comma = text.find(',');
  std::string address_error;
  std::optional<net::ListenAddress> address =
      net::parse_listen_address(text.substr(0, comma), &address_error);
  if (!address) {
    return fail(address_error);
  }
  if (address->port() == 0) {
    return fail("port 0");
  }
  NotifyTarget target{*address, std::nullopt};
  while (comma != std::string_view::npos) {
    size_t next = text.find(',', comma + 1);
    std::string_view option = text.substr(
        comma + 1, next == std::string_view::npos ? std::string_view::npos : next - comma - 1);
    comma = next;
    if (!option.starts_with("key=")) {
      return fail("unknown option \"" + std::string(option) + "\" (key=NAME)");
    }
    if (target.key_name) {
      return fail("key= given twice");
    }
    std::string name_error;
    std::string_view name = option.substr(4);
    // A key name is a host name, as tsig-keygen takes it: no escapes or special characters, so
    // that it never holds the comma that separates the options and prints as it was given.
    for (char c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
        return fail("key: \"" + std::string(name) +
                    "\": a key name is letters, digits, '-', '_' and dots");
      }
    }
    target.key_name = name.empty() ? std::nullopt : dns::Name::from_text(name, &name_error);
    if (!target.key_name) {
      return fail("key: " + (name_error.empty() ? std::string("empty") : name_error));
    }
    target.key_name = target.key_name->lowercased();
  }
  return target;
}

}  // namespace vmdns::notify
