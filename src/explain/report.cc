#include "explain/report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace vmdns::explain {
namespace {

using Cell = std::vector<std::string>;

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : separator) + item;
  }
  return out;
}

// Columns padded to their widest line; a row is as tall as its tallest cell.
std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<Cell>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    widths[c] = header[c].size();
    for (const auto& row : rows) {
      for (const std::string& line : row[c]) {
        widths[c] = std::max(widths[c], line.size());
      }
    }
  }
  auto emit = [&](const std::vector<std::string>& line) {
    std::string text;
    for (size_t c = 0; c < line.size(); ++c) {
      text += line[c];
      if (c + 1 < line.size()) {
        text += std::string(widths[c] - line[c].size() + 2, ' ');
      }
    }
    while (!text.empty() && text.back() == ' ') {
      text.pop_back();
    }
    return text + "\n";
  };
  std::string out = emit(header);
  for (const auto& row : rows) {
    size_t height = 1;
    for (const Cell& cell : row) {
      height = std::max(height, cell.size());
    }
    for (size_t i = 0; i < height; ++i) {
      std::vector<std::string> line;
      for (const Cell& cell : row) {
        line.push_back(i < cell.size() ? cell[i] : "");
      }
      out += emit(line);
    }
  }
  return out;
}

}  // namespace

std::string views_table(const std::vector<WorkloadView>& views) {
  std::vector<std::vector<Cell>> rows;
  std::string notes;
  for (const WorkloadView& view : views) {
    Cell state{view.state};
    for (const std::string& address : view.addresses) {
      state.push_back(address);
    }
    Cell names = view.names;
    if (names.empty()) {
      names.push_back("-");
    } else if (!view.served) {
      names.insert(names.begin(), view.addresses.empty() ? "(once it runs:)" : "(once ready:)");
    }
    rows.push_back({{view.object, "hostname " + view.hostname},
                    state,
                    view.services.empty() ? Cell{"-"} : view.services,
                    names,
                    view.short_names.empty() ? Cell{"-"} : view.short_names});
    for (const std::string& note : view.notes) {
      notes += "note: " + view.object + ": " + note + "\n";
    }
  }
  if (rows.empty()) {
    return "no VirtualMachine or VirtualMachineInstance in the manifests\n";
  }
  return render_table({"OBJECT", "STATE", "SERVICES", "NAMES", "FROM ITS GUEST"}, rows) + notes;
}

std::string views_json(const std::vector<WorkloadView>& views) {
  nlohmann::json list = nlohmann::json::array();
  for (const WorkloadView& view : views) {
    list.push_back({{"object", view.object},
                    {"hostname", view.hostname},
                    {"state", view.state},
                    {"served", view.served},
                    {"addresses", view.addresses},
                    {"services", view.services},
                    {"names", view.names},
                    {"search", view.search},
                    {"short_names", view.short_names},
                    {"notes", view.notes}});
  }
  return nlohmann::json{{"workloads", list}}.dump(2) + "\n";
}

std::string explanation_text(const NameExplanation& e) {
  std::string out;
  if (e.resolves) {
    out += e.name + ": resolves to " + join(e.records, ", ");
    if (e.answer_name != e.name && e.answer_name != e.name + ".") {
      out += " (as " + e.answer_name + ")";
    }
    out += "\n";
  } else {
    out += e.name + ": does not resolve\n";
    out += "  " + std::string(step_name(e.diagnosis.step)) + ": " + e.diagnosis.reason + "\n";
    if (!e.diagnosis.fix.empty()) {
      out += "  fix: " + e.diagnosis.fix + "\n";
    }
  }
  if (!e.search.empty() || e.tries.size() > 1) {
    out += "  tried from " + e.context + ":\n";
    for (const resolvconf::SearchTry& attempt : e.tries) {
      out += "    " + attempt.name + " " + std::string(resolvconf::outcome_name(attempt.outcome)) +
             "\n";
    }
  }
  for (const HeldRecord& held : e.held) {
    out += "  " + held.record + ": held for " + std::to_string(held.seconds_left) +
           " s more: the guest agent stopped reporting it (" + held.object +
           (held.interface.empty() ? "" : ", interface " + held.interface) + ")\n";
  }
  for (const std::string& note : e.notes) {
    out += "  note: " + note + "\n";
  }
  return out;
}

std::string explanation_json(const NameExplanation& e) {
  nlohmann::json tries = nlohmann::json::array();
  for (const resolvconf::SearchTry& attempt : e.tries) {
    tries.push_back({{"name", attempt.name},
                     {"outcome", std::string(resolvconf::outcome_name(attempt.outcome))}});
  }
  nlohmann::json out{{"name", e.name}, {"context", e.context},   {"search", e.search},
                     {"tries", tries}, {"resolves", e.resolves}, {"notes", e.notes}};
  if (e.resolves) {
    out["answer"] = {{"name", e.answer_name}, {"records", e.records}};
    // Only on the running server, when an address hold serves a record (--address-hold).
    for (const HeldRecord& h : e.held) {
      out["held"].push_back({{"record", h.record},
                             {"object", h.object},
                             {"interface", h.interface},
                             {"seconds_left", h.seconds_left},
                             {"reason", "the guest agent stopped reporting it"}});
    }
  } else {
    out["diagnosis"] = {{"name", e.diagnosis.name},
                        {"step", std::string(step_name(e.diagnosis.step))},
                        {"object", e.diagnosis.object},
                        {"reason", e.diagnosis.reason},
                        {"fix", e.diagnosis.fix}};
  }
  return out.dump(2) + "\n";
}

}  // namespace vmdns::explain
