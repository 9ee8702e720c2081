#include "resolvconf/search_order.h"

#include <algorithm>

namespace vmdns::resolvconf {
namespace {

std::string absolute(std::string_view name, std::string_view domain) {
  std::string out(name);
  if (!out.empty() && out.back() == '.') {
    out.pop_back();
  }
  std::string_view suffix = domain;
  while (!suffix.empty() && suffix.front() == '.') {
    suffix.remove_prefix(1);
  }
  while (!suffix.empty() && suffix.back() == '.') {
    suffix.remove_suffix(1);
  }
  if (!suffix.empty()) {
    out += ".";
    out += suffix;
  }
  return out + ".";
}

// A search entry of "." (or empty) is the root: glibc counts it as the as-is try.
bool is_root(std::string_view domain) {
  return domain.empty() || domain == ".";
}

}  // namespace

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Answer:
      return "NOERROR";
    case Outcome::NoData:
      return "NODATA";
    case Outcome::NxDomain:
      return "NXDOMAIN";
    case Outcome::ServFail:
      return "SERVFAIL";
    case Outcome::Refused:
      return "REFUSED";
    case Outcome::Failure:
      return "FAILURE";
  }
  return "FAILURE";
}

SearchResult res_search(std::string_view name, const std::vector<std::string>& search, int ndots,
                        const std::function<Outcome(const std::string& fqdn)>& query) {
  SearchResult result;
  auto attempt = [&](const std::string& fqdn) {
    Outcome outcome = query(fqdn);
    result.tries.push_back({fqdn, outcome});
    return outcome;
  };
  int dots = static_cast<int>(std::count(name.begin(), name.end(), '.'));
  bool trailing_dot = !name.empty() && name.back() == '.';

  bool tried_as_is = false;
  bool has_saved = false;
  Outcome saved = Outcome::NxDomain;
  if (dots >= ndots || trailing_dot) {
    Outcome outcome = attempt(absolute(name, ""));
    if (outcome == Outcome::Answer || trailing_dot) {
      result.result = outcome;
      return result;
    }
    saved = outcome;
    has_saved = true;
    tried_as_is = true;
  }

  bool got_nodata = false;
  bool got_servfail = false;
  bool root_on_list = false;
  Outcome last = saved;
  for (const std::string& domain : search) {
    if (is_root(domain)) {
      root_on_list = true;  // glibc queries "name." here, even if it was tried as it is
    }
    last = attempt(absolute(name, is_root(domain) ? "" : domain));
    if (last == Outcome::Answer) {
      result.result = last;
      return result;
    }
    if (last == Outcome::NoData) {
      got_nodata = true;
    } else if (last == Outcome::ServFail) {
      got_servfail = true;
    } else if (last == Outcome::Refused) {
      // res_send gives up on a server that refuses, and with no server left reports
      // ECONNREFUSED, on which res_search returns at once: no further suffix, no as-is try.
      result.result = Outcome::Refused;
      return result;
    } else if (last != Outcome::NxDomain) {
      break;  // anything else: glibc is done with the search list
    }
  }

  if (!tried_as_is && !root_on_list) {
    last = attempt(absolute(name, ""));
    if (last == Outcome::Answer) {
      result.result = last;
      return result;
    }
  }
  if (has_saved) {
    result.result = saved;
  } else if (got_nodata) {
    result.result = Outcome::NoData;
  } else if (got_servfail) {
    result.result = Outcome::ServFail;
  } else {
    result.result = last;
  }
  return result;
}

}  // namespace vmdns::resolvconf
