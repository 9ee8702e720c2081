// Fuzzes zone transfer requests (xfr/transfer_request.h) and what Transfers answers them with:
// any bytes, read as an AXFR or IXFR request from an allowed client over TCP and over UDP,
// must never crash; every reply message it writes parses as a DNS message of at most 65535
// octets, and a stream ends.
//
//   fuzz_transfer_request -max_total_time=60 fuzz/corpus/transfer_request

#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "dns/message_view.h"
#include "dns/rdata.h"
#include "fuzz_check.h"
#include "xfr/transfer_request.h"
#include "xfr/transfers.h"
#include "zone/zone_builder.h"

namespace {

using vmdns::fuzz::check;

std::shared_ptr<const vmdns::zone::Snapshot> snapshot(uint32_t serial, uint8_t last) {
  auto apex = *vmdns::dns::Name::from_text("example.");
  vmdns::zone::ZoneBuilder b(apex);
  b.add(apex, vmdns::dns::RrType::SOA, 5,
        vmdns::dns::rdata::soa(*vmdns::dns::Name::from_text("ns.example."),
                               *vmdns::dns::Name::from_text("h.example."), serial, 1, 2, 3, 4));
  for (uint8_t i = 0; i < 40; ++i) {
    auto owner = *vmdns::dns::Name::from_text("vm" + std::to_string(i) + ".example.");
    b.add(owner, vmdns::dns::RrType::A, 5, vmdns::dns::rdata::a({10, 0, i, last}));
  }
  std::vector<vmdns::zone::Zone> zones;
  zones.push_back(std::move(b).finish());
  return std::make_shared<const vmdns::zone::Snapshot>(std::move(zones), serial);
}

vmdns::xfr::Transfers& transfers() {
  static vmdns::xfr::Transfers* t = [] {
    auto allow = std::make_shared<vmdns::net::ClientNetworks>();
    std::string error;
    allow->add(*vmdns::net::ClientNetworks::parse_network("0.0.0.0/0", &error));
    auto* made = new vmdns::xfr::Transfers({.allow = allow, .auth = nullptr, .max_streams = 4,
                                                  .holder = nullptr});
    made->publish(snapshot(1, 1));  // serials 1, 2, 3: IXFR from 1 or 2 is incremental
    made->publish(snapshot(2, 2));
    made->publish(snapshot(3, 3));
    return made;
  }();
  return *t;
}

void check_message(const uint8_t* data, size_t length) {
  check(length <= 65535);
  vmdns::dns::MessageView m(std::span<const uint8_t>(data, length));
  check(m.ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {  // NOLINT
  std::span<const uint8_t> input(data, size);
  vmdns::xfr::TransferRequest request;
  vmdns::xfr::RequestStatus status = vmdns::xfr::read_transfer_request(input, request);
  if (status == vmdns::xfr::RequestStatus::Ok && request.type == vmdns::dns::RrType::IXFR) {
    check(request.client_serial.has_value());
  }
  static std::vector<uint8_t> out(65535);
  for (auto transport : {vmdns::net::Transport::Tcp, vmdns::net::Transport::Udp}) {
    vmdns::net::ReplyRoute route;
    route.transport = transport;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&route.peer);
    v4->sin_family = AF_INET;
    v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    vmdns::xfr::Transfers::Answer a = transfers().answer(input, route, out);
    if (status == vmdns::xfr::RequestStatus::NotTransfer) {
      check(a.length == 0 && !a.stream);
    }
    if (a.length > 0) {
      check_message(out.data(), a.length);
    }
    if (a.stream) {
      check(transport == vmdns::net::Transport::Tcp);
      size_t messages = 0;
      while (size_t n = a.stream->next(out)) {
        check_message(out.data(), n);
        check(++messages < 100);
      }
      a.stream->finished(true);
    }
  }
  return 0;
}
