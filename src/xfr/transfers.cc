#include "xfr/transfers.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string>

#include "xfr/peer_text.h"
#include "xfr/serial.h"
#include "xfr/transfer_request.h"
#include "xfr/transfer_writer.h"

namespace vmdns::xfr {
namespace {

using Result = TransferCounters::Result;

void count(TransferCounters& counters, Result result) {
  counters.results[result].fetch_add(1, std::memory_order_relaxed);
}

// One transfer over TCP: its snapshot and differences held until the last message is sent.
class TransferStream : public server::ReplyStream {
 public:
  TransferStream(TransferRequest request, Journal::View view, bool incremental,
                 std::unique_ptr<MessageSigner> signer, std::string client,
                 std::shared_ptr<TransferCounters> counters)
      : request_(std::move(request)),
        view_(std::move(view)),
        incremental_(incremental),
        signer_(std::move(signer)),
        writer_(request_, signer_.get()),
        client_(std::move(client)),
        counters_(std::move(counters)),
        started_(std::chrono::steady_clock::now()) {
    counters_->streaming.fetch_add(1, std::memory_order_relaxed);
  }
  ~TransferStream() override { counters_->streaming.fetch_sub(1, std::memory_order_relaxed); }

  size_t next(std::span<uint8_t> out) override {
    if (!prepared_) {
      prepare();  // here, on the pump's thread: sorting a large zone takes a while
    }
    size_t length = writer_.next(records_, out);
    bytes_ += length;
    return length;
  }

  void finished(bool complete) override {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started_);
    const char* kind = incremental_ ? "incremental" : "full";
    count(*counters_, complete ? (incremental_ ? Result::kIncremental : Result::kFull)
                               : Result::kAborted);
    counters_->messages.fetch_add(writer_.messages(), std::memory_order_relaxed);
    counters_->bytes.fetch_add(bytes_, std::memory_order_relaxed);
    spdlog::info("transfer to {}: {} {} serial {} ({}{}): {} record(s), {} message(s), {} octets, "
                 "{} ms{}",
                 client_, view_.zone->apex().to_text(), dns::rr_type_name(request_.type),
                 view_.serial, kind,
                 incremental_ ? ", from " + std::to_string(*request_.client_serial) : "",
                 records_.records_given(), writer_.messages(), bytes_, elapsed.count(),
                 complete ? "" : "; ABORTED (the client went away or stopped reading)");
  }

 private:
  void prepare() {
    prepared_ = true;
    const zone::Zone& z = *view_.zone;
    std::string_view apex = z.apex_wire();
    std::span<const uint8_t> soa = z.soa().first();
    uint32_t ttl = z.soa().ttl();
    records_.add_soa(apex, soa, ttl);
    if (incremental_) {
      // RFC 1995 section 4: each difference as the old SOA, what it removed, the new SOA,
      // what it added.
      for (const auto& delta : view_.deltas) {
        records_.add_soa(apex, delta->from_soa, ttl);
        records_.add_packed(delta->removed);
        records_.add_soa(apex, delta->to_soa, ttl);
        records_.add_packed(delta->added);
      }
    } else {
      records_.add_zone(z);
    }
    records_.add_soa(apex, soa, ttl);
  }

  TransferRequest request_;
  Journal::View view_;
  bool incremental_;
  std::unique_ptr<MessageSigner> signer_;
  TransferWriter writer_;
  RecordSequence records_;
  bool prepared_ = false;
  std::string client_;
  std::shared_ptr<TransferCounters> counters_;
  std::chrono::steady_clock::time_point started_;
  size_t bytes_ = 0;
};

}  // namespace

Transfers::Transfers(TransferOptions options)
    : options_(std::move(options)), counters_(std::make_shared<TransferCounters>()) {}

void Transfers::publish(std::shared_ptr<const zone::Snapshot> snapshot) {
  auto started = std::chrono::steady_clock::now();
  uint32_t serial = snapshot ? snapshot->serial() : 0;
  journal_.publish(std::move(snapshot));
  spdlog::debug("transfer journal: serial {} in {} us, {} octets held", serial,
                std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count(),
                journal_.bytes());
}

Transfers::Answer Transfers::answer(std::span<const uint8_t> query, const net::ReplyRoute& route,
                                    std::span<uint8_t> out) {
  Answer answer;
  TransferRequest request;
  RequestStatus status = read_transfer_request(query, request);
  if (status == RequestStatus::NotTransfer) {
    return answer;
  }
  bool tcp = route.transport == net::Transport::Tcp;
  std::string client = peer_text(route.peer);
  const char* type = request.type == dns::RrType::AXFR ? "AXFR" : "IXFR";
  auto reply = [&](dns::Rcode rcode, Result result, MessageSigner* signer) {
    count(*counters_, result);
    TransferWriter writer(request, signer);
    answer.length = writer.single(rcode, nullptr, out);
    return std::move(answer);
  };
  if (!options_.allow || !options_.allow->contains(route.peer)) {
    spdlog::info("transfer to {}: {} {} REFUSED: not in --allow-transfer", client, type,
                 request.zone.to_text());
    return reply(dns::Rcode::Refused, Result::kRefused, nullptr);
  }
  if (status == RequestStatus::FormErr) {
    spdlog::info("transfer to {}: {} {}: FORMERR (malformed request)", client, type,
                 request.zone.to_text());
    return reply(dns::Rcode::FormErr, Result::kFormErr, nullptr);
  }
  std::unique_ptr<MessageSigner> signer;
  if (options_.auth) {
    TransferAuth::Verdict verdict = options_.auth->check(query, route.peer);
    if (!verdict.accepted) {
      spdlog::info("transfer to {}: {} {} refused: {}", client, type, request.zone.to_text(),
                   verdict.why);
      return reply(static_cast<dns::Rcode>(verdict.rcode), Result::kRefused,
                   verdict.signer.get());
    }
    signer = std::move(verdict.signer);
  }
  dns::Name apex = request.zone.lowercased();
  Journal::View view = journal_.view(apex.wire_view(), request.client_serial);
  if (options_.holder != nullptr) {
    std::shared_ptr<const zone::Snapshot> newest = options_.holder->current();
    if (newest && newest != view.snapshot) {
      // Published, not yet in the journal: the newest snapshot, whole.
      Journal::View whole;
      whole.snapshot = std::move(newest);
      for (const zone::Zone& z : whole.snapshot->zones()) {
        if (z.apex_wire() == apex.wire_view()) {
          whole.zone = &z;
        }
      }
      if (whole.zone != nullptr) {
        whole.serial = soa_serial(whole.zone->soa().first()).value_or(0);
      }
      view = std::move(whole);
    }
  }
  if (view.zone == nullptr) {
    // RFC 5936 section 2.2.1: not authoritative for the zone.
    spdlog::info("transfer to {}: {} {}: NOTAUTH (not a zone we serve)", client, type,
                 request.zone.to_text());
    return reply(dns::Rcode::NotAuth, Result::kNotAuth, signer.get());
  }
  if (!tcp && request.type == dns::RrType::AXFR) {
    // RFC 5936 section 4.2: AXFR over UDP is not defined; Knot DNS and BIND answer FORMERR.
    return reply(dns::Rcode::FormErr, Result::kFormErr, signer.get());
  }
  bool up_to_date = request.client_serial &&
                    (*request.client_serial == view.serial);
  if (request.type == dns::RrType::IXFR && (up_to_date || !tcp)) {
    // RFC 1995 section 2: over UDP, our SOA alone tells the client to come over TCP (or that
    // it is up to date); over TCP the one SOA means up to date.
    RecordSequence soa;
    soa.add_soa(view.zone->apex_wire(), view.zone->soa().first(),
                view.zone->soa().ttl());
    count(*counters_, tcp ? Result::kUpToDate : Result::kUdpSoa);
    TransferWriter writer(request, signer.get());
    answer.length = writer.single(dns::Rcode::NoError, &soa, out);
    spdlog::debug("transfer to {}: IXFR {} serial {}: {}", client, request.zone.to_text(),
                  view.serial, tcp ? "up to date" : "over UDP, our SOA");
    return answer;
  }
  if (counters_->streaming.load(std::memory_order_relaxed) >= options_.max_streams) {
    spdlog::warn("transfer to {}: {} {}: SERVFAIL, {} transfers already running", client, type,
                 request.zone.to_text(), options_.max_streams);
    return reply(dns::Rcode::ServFail, Result::kBusy, signer.get());
  }
  // RFC 1995 section 4: a serial the journal no longer holds (or one newer than ours, from
  // another server) gets the whole zone, as an AXFR would.
  bool incremental = request.type == dns::RrType::IXFR && view.chain;
  answer.stream = std::make_unique<TransferStream>(std::move(request), std::move(view),
                                                   incremental, std::move(signer),
                                                   std::move(client), counters_);
  return answer;
}

void Transfers::write_metrics(metrics::Exposition& out) const {
  static constexpr const char* kNames[TransferCounters::kResults] = {
      "full", "incremental", "up_to_date", "udp_soa", "refused",
      "notauth", "formerr", "busy", "aborted"};
  out.family("vmdns_transfers_total", "counter",
             "Zone transfer requests (AXFR, IXFR) by result: full, incremental, up_to_date, "
             "udp_soa, refused (not in --allow-transfer), notauth, formerr, busy, aborted.");
  for (size_t i = 0; i < TransferCounters::kResults; ++i) {
    out.sample("vmdns_transfers_total", metrics::Labels{{"result", kNames[i]}},
               counters_->results[i].load(std::memory_order_relaxed));
  }
  out.family("vmdns_transfer_messages_total", "counter", "Messages sent by zone transfers.");
  out.sample("vmdns_transfer_messages_total", metrics::Labels{},
             counters_->messages.load(std::memory_order_relaxed));
  out.family("vmdns_transfer_bytes_total", "counter", "Octets sent by zone transfers.");
  out.sample("vmdns_transfer_bytes_total", metrics::Labels{},
             counters_->bytes.load(std::memory_order_relaxed));
  out.family("vmdns_transfers_running", "gauge", "Zone transfers streaming now.");
  out.sample("vmdns_transfers_running", metrics::Labels{},
             counters_->streaming.load(std::memory_order_relaxed));
  out.family("vmdns_transfer_journal_bytes", "gauge",
             "Octets held by the IXFR journal (the recent differences of every zone).");
  out.sample("vmdns_transfer_journal_bytes", metrics::Labels{}, uint64_t{journal_.bytes()});
}

}  // namespace vmdns::xfr
