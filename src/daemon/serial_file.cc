#include "daemon/serial_file.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "xfr/serial.h"

namespace vmdns::daemon {

uint32_t serial_after_restart(const std::string& state_dir, uint32_t clock_serial) {
  std::string path = state_dir + "/serial";
  std::ifstream in(path);
  if (!in) {
    return clock_serial;  // a first start
  }
  std::stringstream text;
  text << in.rdbuf();
  std::optional<uint32_t> kept = xfr::parse_serial_text(text.str());
  if (!kept) {
    spdlog::warn("{}: not a serial (decimal digits); ignored", path);
    return clock_serial;
  }
  uint32_t next = *kept + 1;
  if (xfr::serial_newer(next, clock_serial)) {
    spdlog::info("{}: serial {} was served before this start; the next ones follow it", path,
                 *kept);
    return next;
  }
  return clock_serial;
}

void keep_serial(const std::string& state_dir, uint32_t serial) {
  static std::atomic<bool> warned{false};
  std::string path = state_dir + "/serial";
  std::string temporary = path + ".tmp";
  ::mkdir(state_dir.c_str(), 0700);
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << serial << '\n';
    if (!out.flush()) {
      if (!warned.exchange(true)) {
        spdlog::warn("{}: cannot write the serial: {}", temporary, std::strerror(errno));
      }
      return;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0 && !warned.exchange(true)) {
    spdlog::warn("{}: cannot write the serial: {}", path, std::strerror(errno));
  }
}

}  // namespace vmdns::daemon
