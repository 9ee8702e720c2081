// libFuzzer target: a hosts file (--hosts-file, k3s's NodeHosts) -> entries -> the table the
// workers read -> answers. Whatever the bytes, nothing crashes or throws; every entry has a name;
// every error names its line; every name of an entry answers A or AAAA (or NODATA) from the
// table, and its address's PTR lists it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dns/writer.h"
#include "fuzz_check.h"
#include "hosts/hosts_answer.h"
#include "hosts/hosts_file.h"
#include "hosts/hosts_table.h"

using namespace vmdns;

namespace {

// A query for `name`/`type`, built with the writer the server answers with.
size_t query_for(const dns::Name& name, dns::RrType type, std::span<uint8_t> out) {
  dns::MessageWriter w(out, out.size());
  w.header().id = 7;
  w.header().flags = dns::Header::kRd;
  w.write_question(name, type, 1);
  return w.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = fuzz::as_text(data, size);
  hosts::HostsParse parsed = hosts::parse_hosts(text, "f");
  for (const std::string& error : parsed.errors) {
    fuzz::check(error.starts_with("f:"));
  }
  for (const hosts::HostsEntry& entry : parsed.entries) {
    fuzz::check(!entry.names.empty());
  }
  auto table = hosts::HostsTable::build(parsed.entries, 60);
  std::array<uint8_t, 512> query;
  std::array<uint8_t, 65535> out;
  size_t checked = 0;
  for (const hosts::HostsEntry& entry : parsed.entries) {
    if (++checked > 16) {
      break;
    }
    size_t length = query_for(entry.names[0], entry.ipv6 ? dns::RrType::AAAA : dns::RrType::A,
                              query);
    fuzz::check(hosts::answer(*table, {query.data(), length}, out, true) > 0);
    length = query_for(hosts::reverse_name(entry), dns::RrType::PTR, query);
    fuzz::check(hosts::answer(*table, {query.data(), length}, out, false) > 0);
  }
  // The input as a query too: answering must cope with any bytes.
  (void)hosts::answer(*table, {data, size}, out, false);
  return 0;
}
